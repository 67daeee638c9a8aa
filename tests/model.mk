# tests of core/model (included by the top-level Makefile.am)
