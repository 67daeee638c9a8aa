# tests of core/data (included by the top-level Makefile.am)
