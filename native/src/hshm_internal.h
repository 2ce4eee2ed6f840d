/*
 * hshm_internal.h: what the library's C files share and users do not (not installed, not part of hshm.h).
 */
#ifndef HSHM_INTERNAL_H
#define HSHM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * The one name rule of backends and named objects (ShmNames.validate): HSHM_OK with *name the name without a
 * leading '/', or HSHM_ERR_ARGUMENT with the reason in msg.
 */
int hshm__check_name(const char *url, const char **name, char *msg, size_t msglen);

/**
 * The start time of process `pid` in epoch ms as the JDK's ProcessHandle computes it on Linux (what start words and
 * the structures' owner words record), or 0 if unknown; *zombie (if not NULL) tells a process that has exited.
 */
uint64_t hshm__process_start_ms(long pid, bool *zombie);

#endif /* HSHM_INTERNAL_H */
