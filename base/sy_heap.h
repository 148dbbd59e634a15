/* sy_heap.h — the binary min-heap of switchyard (the pending timers of a batch, the demo's
 * and the load generator's event schedules), over a caller's array of fixed-size items
 * ordered by a caller's "less" function. Header-only and static inline, so that each user
 * gets a copy specialised to its item size and comparison: no call per comparison on the
 * hot path. Not storage: the caller owns, sizes and grows the array. */
#ifndef SY_HEAP_H
#define SY_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Whether item a comes before item b (a strict weak order). */
typedef bool (*sy_heap_less_t)(const void *a, const void *b);

/* Put *e at hole i of items (0..i-1 a heap) and move it up to its place. */
static inline void sy_heap_sift_up(void *items, size_t item_size, size_t i, const void *e,
                                   sy_heap_less_t less) {
    char *base = items;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!less(e, base + parent * item_size))
            break;
        memcpy(base + i * item_size, base + parent * item_size, item_size);
        i = parent;
    }
    memcpy(base + i * item_size, e, item_size);
}

/* Put *e at the root hole of items[0..count-1] and move it down to its place. */
static inline void sy_heap_sift_down(void *items, size_t item_size, size_t count,
                                     const void *e, sy_heap_less_t less) {
    char *base = items;
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= count)
            break;
        if (child + 1 < count &&
            less(base + (child + 1) * item_size, base + child * item_size))
            child++;
        if (!less(base + child * item_size, e))
            break;
        memcpy(base + i * item_size, base + child * item_size, item_size);
        i = child;
    }
    memcpy(base + i * item_size, e, item_size);
}

/* Add *e to the heap items[0..*count-1]; the array must have room for *count + 1. */
static inline void sy_heap_push(void *items, size_t item_size, size_t *count, const void *e,
                                sy_heap_less_t less) {
    sy_heap_sift_up(items, item_size, (*count)++, e, less);
}

/* Remove the first item (items[0]) of a non-empty heap. */
static inline void sy_heap_pop(void *items, size_t item_size, size_t *count,
                               sy_heap_less_t less) {
    char *base = items;
    size_t n = --*count;
    if (n > 0) /* the last item fills the root hole; sift_down reads it before overwriting */
        sy_heap_sift_down(items, item_size, n, base + n * item_size, less);
}

#endif
