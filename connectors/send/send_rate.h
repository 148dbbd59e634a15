/* send_rate.h — a token bucket: at most rate_per_s messages a second on average, bursts
 * of up to one second's worth. One per channel, used by the sender's one thread; not a
 * shared or distributed limit (two sender processes get twice the rate). */
#ifndef SY_SEND_RATE_H
#define SY_SEND_RATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct send_rate {
    double rate_per_s; /* 0: no limit */
    double tokens;     /* up to max(1, rate_per_s) */
    int64_t last_us;   /* monotonic time of the last refill */
} send_rate_t;

/* Start a bucket, full. */
void send_rate_init(send_rate_t *r, int64_t rate_per_s);

/* Take one token, sleeping until there is one. Returns false when *stop was set while
 * waiting (no token taken). */
bool send_rate_take(send_rate_t *r, const atomic_int *stop);

#endif
