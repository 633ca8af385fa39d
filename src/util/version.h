/* The version the build passes in (-DTIERDUMP_VERSION), with one fallback. */
#ifndef TIERDUMP_VERSION_H
#define TIERDUMP_VERSION_H

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

#endif
