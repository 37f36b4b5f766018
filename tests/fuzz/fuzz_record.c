/* fuzz_record.c - libFuzzer target for the live record reader with
 * --responses (user/live/record.c, record_resp.c): perf samples as the ring
 * hands them, process, query and response records of any bytes, UDP and
 * TCP, with drain ends and clock moves between them, then the end of the
 * trace.  Every record's lengths and fields are the input's: the reader
 * must validate them, frame TCP receive streams in any order, decode every
 * response as far as it was copied and never read past a record.  ASan
 * and UBSan catch bad reads and leaks; the outcomes are written as json.
 *
 * Input: a list of steps.  Byte 0 of a step: 0 = a drain end (the next
 * byte: how many 10 ms the clock moves), 1..3 = a record of type DV_REC_MSG,
 * DV_REC_PROC or DV_REC_RESP whose next 2 bytes are its length (at most
 * the struct's size) and whose bytes follow.  For records the harness
 * sets the type, and with byte 0's bit 7 also the length field to the
 * bytes given, so that deeper paths are reached; the rest is the input's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/dnsvis.h"
#include "live/record.h"
#include "live/record_int.h"
#include "output/output.h"
#include "output/sink.h"

/* The kernel is asked to describe a process again: a BPF map there. */
void record_forget_proc(struct record_reader *te, uint32_t tgid, uint64_t proc_id)
{
	(void)te;
	(void)tgid;
	(void)proc_id;
}

static FILE *null_out;

static struct record_reader *reader_new(struct event_filter *f, struct event_sink *s)
{
	struct record_reader *te = calloc(1, sizeof(*te));

	if (!te)
		return NULL;
	te->f = f;
	te->sink = s;
	if (record_state_open(te, -1, -1) != 0 || record_responses_start(te, 1000000000LL, 64) != 0)
		__builtin_trap();
	return te;
}

static void reader_free(struct record_reader *te)
{
	record_state_close(te);
	free(te);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned short types[] = {DV_REC_MSG, DV_REC_PROC, DV_REC_RESP};
	struct event_filter f = {0};
	struct event_sink s = {0};
	struct record_reader *te;
	int64_t now = 1000000000LL;
	size_t i = 0;

	if (!null_out)
		null_out = getenv("FUZZ_RECORD_SHOW") ? stdout : fopen("/dev/null", "w");
	s.print = null_out;
	s.out.format = OUTPUT_JSON;
	s.out.typed = 1;
	te = reader_new(&f, &s);
	if (!te)
		return 0;
	while (i < size) {
		uint8_t op = data[i++];
		unsigned kind = op & 3;
		size_t len, max;
		struct dv_rec_head *h;

		if (kind == 0) {
			now += 10000000LL * (i < size ? data[i++] : 1);
			record_release_held(te, now);
			continue;
		}
		if (i + 2 > size)
			break;
		len = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		max = kind == 2 ? sizeof(struct dv_proc) : sizeof(struct dv_msg);
		if (len > max - DV_REC_SKIP)
			len = max - DV_REC_SKIP;
		if (len > size - i)
			len = size - i;
		/* exactly the sample's bytes (malloc aligns as the ring does the
		 * size field): a read past them is ASan's */
		h = calloc(1, DV_REC_SKIP + len < sizeof(*h) ? sizeof(*h) : DV_REC_SKIP + len);
		if (!h)
			break;
		memcpy((uint8_t *)h + DV_REC_SKIP, data + i, len);
		i += len;
		if (len >= 2)
			h->type = types[kind - 1];
		if (op & 0x80)
			h->len = (unsigned short)len;
		record_handle(te, h, DV_REC_SKIP + len);
		free(h);
	}
	record_flush(te, now + 10000000000LL);
	reader_free(te);
	return 0;
}
