/* arena.h — a bump allocator for memory that lives exactly one batch: allocate freely
 * while a batch is processed, release everything at once with arena_reset. Not a general
 * allocator: there is no per-allocation free. Not thread-safe. */
#ifndef SY_ARENA_H
#define SY_ARENA_H

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of one arena chunk: large enough that a batch of thousands of records needs a
 * handful of chunks, small enough that an idle arena costs little. */
#define ARENA_CHUNK_BYTES (256 * 1024)

typedef struct arena_chunk arena_chunk_t;

typedef struct arena {
    arena_chunk_t *head; /* chunk being filled; older chunks follow */
    unsigned char *next; /* head's first free byte, aligned for any type */
    size_t left;         /* free bytes at next */
} arena_t;

/* Initialise an empty arena; allocates nothing until the first arena_alloc. */
void arena_init(arena_t *arena);

/* Free every chunk. */
void arena_deinit(arena_t *arena);

/* arena_alloc's way when the head chunk has no room: size bytes (a multiple of the
 * alignment) from a new chunk, or NULL when out of memory. */
void *arena_alloc_chunk(arena_t *arena, size_t size);

/* size bytes aligned for any type, or NULL when out of memory. Valid until reset. Inline:
 * a bump of next (an op log's keys and values, each timer) costs less than a call. */
static inline void *arena_alloc(arena_t *arena, size_t size) {
    const size_t align = alignof(max_align_t);
    assert(size <= SIZE_MAX - align);
    size = (size + align - 1) & ~(align - 1);
    if (size > arena->left)
        return arena_alloc_chunk(arena, size);
    void *p = arena->next;
    arena->next += size;
    arena->left -= size;
    return p;
}

/* A copy of len bytes of src followed by a NUL, or NULL when out of memory. */
char *arena_strndup(arena_t *arena, const char *src, size_t len);

/* Release every allocation; keeps one chunk for reuse so a steady state allocates
 * nothing from the system. */
void arena_reset(arena_t *arena);

#endif
