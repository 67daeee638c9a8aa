# tests of core/train (included by the top-level Makefile.am)
