# tests of core/generate (included by the top-level Makefile.am)
