/* The version compiled in by the GNUmakefile, with one fallback for other builds. */
#ifndef TIERDUMP_VERSION_H
#define TIERDUMP_VERSION_H

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

#endif
