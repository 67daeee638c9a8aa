# core/api: sources and tests of this part (included by the top-level Makefile.am)

# The one file implementing artv.h, and the try/catch every exported function goes through.
libartv_la_SOURCES += core/api/artv.cpp core/api/guard.h core/util/error.h
