/* sy_array.c — growing a caller's array by doubling (sy_array.h). No bookkeeping of its
 * own: the caller holds the count and the capacity. */
#include "sy_array.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

void *sy_array_grow_over(void *items, size_t *capacity, size_t count_min, size_t item_size,
                         size_t first_capacity) {
    assert(capacity && count_min > *capacity && item_size > 0 && first_capacity > 0);
    assert(items || *capacity == 0);
    size_t want = *capacity ? *capacity : first_capacity;
    while (want < count_min)
        want = want > SIZE_MAX / 2 ? count_min : want * 2;
    if (want > SIZE_MAX / item_size)
        return NULL;
    void *grown = realloc(items, want * item_size);
    if (!grown)
        return NULL;
    *capacity = want;
    return grown;
}
