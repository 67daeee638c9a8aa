# tests of core/api (included by the top-level Makefile.am)
