/* arena.c — bump allocation in chunks, released per batch. */
#include "arena.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    arena_chunk_t *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

/* The rounding in arena_alloc masks with align - 1. */
_Static_assert((alignof(max_align_t) & (alignof(max_align_t) - 1)) == 0,
               "max_align_t's alignment is a power of two");

void arena_init(arena_t *arena) {
    assert(arena);
    arena->head = NULL;
    arena->next = NULL;
    arena->left = 0;
}

void arena_deinit(arena_t *arena) {
    assert(arena);
    arena_chunk_t *chunk = arena->head;
    while (chunk) {
        arena_chunk_t *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    arena_init(arena);
}

void *arena_alloc_chunk(arena_t *arena, size_t size) {
    assert(size % alignof(max_align_t) == 0 && size > arena->left);
    size_t data_size = size > ARENA_CHUNK_BYTES ? size : ARENA_CHUNK_BYTES;
    arena_chunk_t *chunk = malloc(sizeof *chunk + data_size);
    if (!chunk)
        return NULL;
    chunk->size = data_size;
    chunk->next = arena->head;
    arena->head = chunk;
    arena->next = chunk->data + size;
    arena->left = data_size - size;
    return chunk->data;
}

char *arena_strndup(arena_t *arena, const char *src, size_t len) {
    assert(src || !len);
    char *p = arena_alloc(arena, len + 1);
    if (!p)
        return NULL;
    memcpy(p, src, len);
    p[len] = '\0';
    return p;
}

void arena_reset(arena_t *arena) {
    arena_chunk_t *keep = arena->head;
    if (!keep)
        return;
    /* Keep the largest-by-construction newest chunk; free the rest. */
    arena_chunk_t *chunk = keep->next;
    while (chunk) {
        arena_chunk_t *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    keep->next = NULL;
    arena->next = keep->data;
    arena->left = keep->size;
    assert(keep->size >= ARENA_CHUNK_BYTES);
}
