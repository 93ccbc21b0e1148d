/* queue.h: the one thread queue of the tree (the engine's worker, the
 * TUI's draft writer and preview renderer): a bounded FIFO of fixed-size
 * items copied in and out, one mutex, one condition variable on
 * CLOCK_MONOTONIC (a wall-clock jump, NTP or a laptop's sleep, neither
 * cuts nor stretches a timed wait), and a stop that wakes every waiter.
 * No curses here. */
#ifndef SB_QUEUE_H
#define SB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sbq sbq;

/* Which queued item a full queue gives up for a new one: the one of the
 * highest rank (the oldest among equals); rank 0 is never given up.  When
 * no queued item may go, a new item of rank > 0 is dropped itself and one
 * of rank 0 grows the queue: nothing of rank 0 is ever lost. */
typedef int (*sbq_rank_fn)(const void *item);
/* Frees what an item owns, for items dropped or left at sbq_free(). */
typedef void (*sbq_free_fn)(void *item);

/* rank NULL: a full queue refuses new items (sbq_push returns 0). */
sbq *sbq_new(size_t item_size, size_t cap, sbq_rank_fn rank, sbq_free_fn item_free);
void sbq_free(sbq *q);
/* Append, or put first.  Returns the number of items queued after the
 * push (1: the queue was empty), 0 when the item was not queued (full, or
 * stopped): then the caller still owns it. */
size_t sbq_push(sbq *q, const void *item);
size_t sbq_push_front(sbq *q, const void *item);
/* Take the first item into out, waiting up to timeout_ms (< 0: as long as
 * it takes, 0: not at all).  1: an item; 0: none in time; -1: stopped and
 * empty.  Items queued before the stop are still handed out: a consumer
 * that must not run them checks sbq_stopped(). */
int sbq_pop(sbq *q, void *out, int timeout_ms);
/* The consumer finished the item it popped last (see sbq_wait_idle). */
void sbq_done(sbq *q);
/* Wait until the queue is empty and every popped item is done. */
void sbq_wait_idle(sbq *q);
/* Remove the first item match() accepts into out (may be NULL: then it is
 * freed); true if there was one. */
bool sbq_take_if(sbq *q, bool (*match)(const void *item, void *ctx), void *ctx, void *out);
/* Whether match() accepts a queued item. */
bool sbq_contains(sbq *q, bool (*match)(const void *item, void *ctx), void *ctx);
/* Wake every waiter; pushes are refused from now on. */
void sbq_stop(sbq *q);
bool sbq_stopped(sbq *q);
size_t sbq_len(sbq *q);

#endif
