# tests of core/io (included by the top-level Makefile.am)
