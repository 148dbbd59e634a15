/* sy_array.h — growing a caller's array of fixed-size items: the capacity doubles until it
 * holds what is asked, and the multiplication is checked. Not a container: the caller
 * keeps the pointer, its count and its capacity, and frees the array. */
#ifndef SY_ARRAY_H
#define SY_ARRAY_H

#include <stddef.h>

/* sy_array_grow's growing half, for when count_min is over *capacity: call sy_array_grow. */
void *sy_array_grow_over(void *items, size_t *capacity, size_t count_min, size_t item_size,
                         size_t first_capacity);

/* items (an array of *capacity items of item_size bytes, NULL when *capacity is 0) grown
 * to hold at least count_min items (count_min, item_size and first_capacity above 0): the
 * capacity doubles from *capacity, or from first_capacity when that is 0, until it is
 * enough. Returns the array, moved or not, with *capacity its new capacity (items itself
 * and *capacity unchanged when it is already enough). NULL without memory or when the
 * size would overflow: items and *capacity stay as they were, still the caller's. */
static inline void *sy_array_grow(void *items, size_t *capacity, size_t count_min,
                                  size_t item_size, size_t first_capacity) {
    /* inline: most calls find the room there, on paths as hot as every state write */
    if (count_min <= *capacity)
        return items;
    return sy_array_grow_over(items, capacity, count_min, item_size, first_capacity);
}

#endif
