# tests of core/diffusion (included by the top-level Makefile.am)
