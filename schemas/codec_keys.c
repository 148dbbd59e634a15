/* codec_keys.c — a set of map keys, to find a key a map repeats in bounded time without
 * allocating: open addressing over the codec's fixed table, cleared by bumping a
 * generation. Not a general hash table: it holds borrowed C strings for one map at a time. */
#include <assert.h>
#include <string.h>

#include "codec_int.h"

/* FNV-1a, 64-bit: keys are short ids; any fair spread will do. */
static uint64_t keys_hash(const char *s) {
    /* no assert: a per-byte leaf; codec_keyset_add asserts the set */
    uint64_t h = 14695981039346656037ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static void codec_keyset_clear(codec_keyset_t *set) {
    set->count = 0;
    assert(set->gen != 0 || set->stamp[0] == 0); /* generation 0 is never in use */
    if (++set->gen == 0) { /* wrapped: stale stamps could match again */
        memset(set->stamp, 0, sizeof set->stamp);
        set->gen = 1;
    }
}

/* Add key; false when it is there already. */
static bool codec_keyset_add(codec_keyset_t *set, const char *key) {
    size_t mask = CODEC_KEYSET_SLOTS - 1;
    size_t i = (size_t)keys_hash(key) & mask;
    assert(set->count < CODEC_KEYSET_SLOTS / 2 && "maps are checked against their limit first");
    for (; set->stamp[i] == set->gen; i = (i + 1) & mask)
        if (strcmp(set->key[i], key) == 0)
            return false;
    set->stamp[i] = set->gen;
    set->key[i] = key;
    set->count++;
    return true;
}

size_t codec_keyset_distinct(codec_keyset_t *set, const sy_kv_t *kvs, const sy_attr_t *attrs,
                             size_t count) {
    size_t distinct = 0;
    assert(count <= CODEC_KEYSET_SLOTS / 2 && (kvs || attrs || count == 0));
    if (count < 2) /* nothing to repeat: the usual map, left without touching the set */
        return count;
    codec_keyset_clear(set);
    for (size_t i = 0; i < count; i++)
        distinct += codec_keyset_add(set, kvs != NULL ? kvs[i].key : attrs[i].name);
    return distinct;
}
