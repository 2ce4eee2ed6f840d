/*
 * hshm_internal.h: what the library's C files share and users do not (not installed, not part of hshm.h).
 */
#ifndef HSHM_INTERNAL_H
#define HSHM_INTERNAL_H

#include <stddef.h>

/**
 * The one name rule of backends and named objects (ShmNames.validate): HSHM_OK with *name the name without a
 * leading '/', or HSHM_ERR_ARGUMENT with the reason in msg.
 */
int hshm__check_name(const char *url, const char **name, char *msg, size_t msglen);

#endif /* HSHM_INTERNAL_H */
