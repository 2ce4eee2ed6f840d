/*
 * probe_fields.h: the field printer of the layout probes (hshm_probe.c, hshm_structures_probe.c). DUMP(S, seg,
 * base, ptr) prints every field of struct S at ptr through its generated HSHM_FIELDS_S list, one per line:
 * "<seg> <base> <struct>.<field>[index] <offset in struct> <bytes> <value>" (chars as hex, u64 arrays one line
 * per element, nested structs skipped: they are printed as instances of their own).
 */
#ifndef HSHM_PROBE_FIELDS_H
#define HSHM_PROBE_FIELDS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void print_U(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    uint64_t x = 0;
    if (n == 8) {
        memcpy(&x, v, 8);
    } else {
        uint32_t y;
        memcpy(&y, v, 4);
        x = y;
    }
    printf("%c %" PRIu64 " %s.%s %zu %zu %" PRIu64 "\n", seg, base, s, f, at, n, x);
}

static void print_C(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    printf("%c %" PRIu64 " %s.%s %zu %zu ", seg, base, s, f, at, n);
    for (size_t i = 0; i < n; i++) {
        printf("%02x", ((const unsigned char *) v)[i]);
    }
    printf("\n");
}

__attribute__((unused)) static void print_A(char seg, uint64_t base, const char *s, const char *f, size_t at,
                                            const void *v, size_t n) {
    for (size_t i = 0; i < n / 8; i++) {
        uint64_t x;
        memcpy(&x, (const char *) v + 8 * i, 8);
        printf("%c %" PRIu64 " %s.%s[%zu] %zu 8 %" PRIu64 "\n", seg, base, s, f, i, at + 8 * i, x);
    }
}

static void print_S(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    (void) seg, (void) base, (void) s, (void) f, (void) at, (void) v, (void) n;
}

#define PROBE_FIELD(S, f, K) print_##K(seg_, base_, #S, #f, offsetof(S, f), &p_->f, sizeof p_->f);
#define DUMP(S, segc, basev, ptr)                          \
    do {                                                   \
        const S *p_ = (const S *) (const void *) (ptr);    \
        char seg_ = (segc);                                \
        uint64_t base_ = (basev);                          \
        HSHM_FIELDS_##S(PROBE_FIELD)                       \
    } while (0)

#endif /* HSHM_PROBE_FIELDS_H */
