/* test_live_map_browser.c — the live journey map of a running service in a real browser:
 * `switchyard run` on the broker, fed the push promo's first day (live_map_fixture.h), and
 * live_map_check.py loads its page /journeys/coffee_push_promo in headless Chromium and
 * checks every number the browser shows against /journeys. The page's drawing is tested
 * offline by test_map_browser.py; this test is about the served page and its counts. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>

#include "child.h"
#include "live_map_fixture.h"

Test(live_map_browser, the_served_page_shows_in_chromium_the_counts_of_journeys,
     .timeout = 900) {
    live_map_t m;
    char command[1024];
    live_map_start(&m, "live-map-browser");
    snprintf(command, sizeof command, "python3 '%s/tests/browser/live_map_check.py' '%s' '%s'",
             SY_SOURCE_ROOT, m.base, LIVE_MAP_JOURNEY);
    int status = system(command);
    cr_expect(eq(int, child_exit_code(status), 0), "%s: status %d", command, status);
    live_map_finish(&m);
}
