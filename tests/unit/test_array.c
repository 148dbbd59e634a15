/* test_array.c — unit tests of base/sy_array.h: an array grows by doubling to hold what is
 * asked, keeps its items, stays as it is when it is big enough, and a size that would
 * overflow is refused with the caller's array untouched. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "sy_array.h"

Test(array, an_empty_array_starts_at_its_first_capacity) {
    size_t capacity = 0;
    int *items = sy_array_grow(NULL, &capacity, 1, sizeof *items, 8);
    cr_assert(items != NULL);
    cr_assert(eq(sz, capacity, 8));
    free(items);
}

Test(array, the_capacity_doubles_until_it_holds_what_is_asked_and_keeps_the_items) {
    size_t capacity = 0;
    int *items = sy_array_grow(NULL, &capacity, 3, sizeof *items, 3);
    cr_assert(items != NULL);
    for (int i = 0; i < 3; i++)
        items[i] = 10 + i;
    items = sy_array_grow(items, &capacity, 13, sizeof *items, 3);
    cr_assert(items != NULL);
    cr_assert(eq(sz, capacity, 24), "capacity %zu: 3, 6, 12, 24", capacity);
    for (int i = 0; i < 3; i++)
        cr_assert(eq(int, items[i], 10 + i), "item %d", i);
    free(items);
}

Test(array, an_array_big_enough_stays_as_it_is) {
    size_t capacity = 0;
    int *items = sy_array_grow(NULL, &capacity, 4, sizeof *items, 4);
    cr_assert(items != NULL);
    int *again = sy_array_grow(items, &capacity, 4, sizeof *items, 4);
    cr_assert(eq(ptr, again, items));
    cr_assert(eq(sz, capacity, 4));
    free(items);
}

Test(array, a_size_that_overflows_is_refused_and_the_array_is_untouched) {
    size_t capacity = 0;
    char *items = sy_array_grow(NULL, &capacity, 2, 1, 2);
    cr_assert(items != NULL);
    items[0] = 'a';
    cr_assert(eq(ptr, sy_array_grow(items, &capacity, SIZE_MAX / 2 + 2, 2, 2), NULL));
    cr_assert(eq(sz, capacity, 2));
    cr_assert(eq(chr, items[0], 'a'));
    free(items);
}
