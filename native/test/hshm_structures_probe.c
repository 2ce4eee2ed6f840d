/*
 * hshm_structures_probe NAME MAJOR,MINOR DIR SPSC MPSC RECORD CONTAINER: prints every field of every struct in
 * hshm_structures.h, read through the generated structs (the HSHM_FIELDS_* lists), for the instances a JVM made at
 * those data offsets (the directory block, an SPSC ring, an MPSC ring, a record header in it, a container), one
 * per line as hshm_probe does: "D <base> <struct>.<field> <offset in struct> <bytes> <value>" (chars as hex).
 * CStructuresProbeTest compares each value with what the JVM reads at base + offset and checks that every field the
 * header lists appears, so no offset here is typed by hand. Nothing is validated: the probe only reads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hshm.h"
#include "hshm_structures.h"
#include "probe_fields.h"

int main(int argc, char **argv) {
    unsigned major;
    unsigned minor;
    if (argc != 8 || sscanf(argv[2], "%u,%u", &major, &minor) != 2) {
        fprintf(stderr, "usage: hshm_structures_probe NAME MAJOR,MINOR DIR SPSC MPSC RECORD CONTAINER\n");
        return 2;
    }
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(argv[1], 2000, &b);
    if (rc == HSHM_OK) {
        rc = hshm_heap_open(b, major, minor, &h);
    }
    if (rc != HSHM_OK) {
        fprintf(stderr, "%s: %s\n", hshm_error_name(rc), hshm_last_error());
        return 3;
    }
    const uint8_t *data = hshm_backend_data(b);
    uint64_t dir = strtoull(argv[3], NULL, 10);
    uint64_t spsc = strtoull(argv[4], NULL, 10);
    uint64_t mpsc = strtoull(argv[5], NULL, 10);
    uint64_t record = strtoull(argv[6], NULL, 10);
    uint64_t container = strtoull(argv[7], NULL, 10);

    DUMP(hshm_named_dir, 'D', dir, data + (dir));
    DUMP(hshm_shared_lock, 'D', dir + HSHM_ND_LOCK, data + (dir + HSHM_ND_LOCK));
    for (unsigned i = 0; i < HSHM_NAMED_ENTRIES; i++) {
        uint64_t e = dir + HSHM_ND_ENTRIES + (uint64_t) i * HSHM_NE_BYTES;
        if (((const hshm_named_entry *) (const void *) (data + e))->state != HSHM_NAMED_EMPTY) {
            DUMP(hshm_named_entry, 'D', e, data + (e));
        }
    }
    DUMP(hshm_queue_header, 'D', spsc, data + (spsc));
    DUMP(hshm_spsc_ring, 'D', spsc, data + (spsc));
    DUMP(hshm_wait_word, 'D', spsc + HSHM_SPSC_NOT_EMPTY, data + (spsc + HSHM_SPSC_NOT_EMPTY));
    DUMP(hshm_wait_word, 'D', spsc + HSHM_SPSC_NOT_FULL, data + (spsc + HSHM_SPSC_NOT_FULL));
    DUMP(hshm_queue_header, 'D', mpsc, data + (mpsc));
    DUMP(hshm_mpsc_ring, 'D', mpsc, data + (mpsc));
    DUMP(hshm_wait_word, 'D', mpsc + HSHM_MPSC_NOT_EMPTY, data + (mpsc + HSHM_MPSC_NOT_EMPTY));
    DUMP(hshm_wait_word, 'D', mpsc + HSHM_MPSC_NOT_FULL, data + (mpsc + HSHM_MPSC_NOT_FULL));
    DUMP(hshm_mpsc_producer, 'D', mpsc + HSHM_MPSC_PRODUCERS + HSHM_MP_BYTES,
         data + (mpsc + HSHM_MPSC_PRODUCERS + HSHM_MP_BYTES)); /* slot 1: the JVM's */
    DUMP(hshm_mpsc_record, 'D', record, data + (record));
    DUMP(hshm_container_header, 'D', container, data + (container));
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
