/* fuzz_match.c - libFuzzer target for the outstanding-query table.
 *
 * The input is a table size, a timeout and a list of operations (query,
 * response, advance the clock by any amount either way, flush).  Each runs
 * on the matcher and on a model: an array kept in deadline order, searched
 * linearly, written from match.h's contract.  Every result the matcher
 * hands back must be the model's next one (kind, query, retries, times),
 * the statistics must add up, and the table's memory must stay within a
 * bound set by its size.  A violation traps; ASan catches leaks and bad
 * reads.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "match/match.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define MS	     1000000LL
#define MAX_TABLE    64
#define NFLOWS	     8
#define MAX_EXPECTED (MAX_TABLE + 2)

static const char *const names[] = {
    "a.example",
    "A.Example",
    "b.example",
    "c.example.com.default.svc.cluster.local.example.org",
    "x\\000y.example",
    ("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
     "89012345678901234567890123456789012345678901234567890123456789.example"),
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static struct match_flow flows[NFLOWS];

static void make_flows(void)
{
	for (int i = 0; i < NFLOWS; i++) {
		struct match_flow *f = &flows[i];

		memset(f, 0, sizeof(*f));
		f->family = i == 7 ? AF_INET6 : AF_INET;
		f->proto = i == 6 ? IPPROTO_TCP : IPPROTO_UDP;
		f->netns = i == 5 ? 4026532000u : 0;
		f->saddr[0] = 10;
		f->saddr[3] = (uint8_t)(1 + (i == 4));
		f->daddr[0] = 10;
		f->daddr[3] = (uint8_t)(53 + (i == 3));
		f->sport = (uint16_t)(40000 + (i & 1));
		f->dport = i == 2 ? 5353 : 53;
	}
}

/* ---- the model ----------------------------------------------------------- */

struct mentry {
	int flow, name, user;
	uint16_t qtype, txid[MATCH_TXIDS_KEPT];
	unsigned ntxids;
	uint32_t retries;
	int64_t first, last, deadline;
};

struct expect {
	enum match_kind kind;
	int user; /* -1: none (unsolicited) */
	uint32_t retries;
	int64_t ts, waited_ms;
	int end_of_input;
	int alt_users[MAX_TABLE]; /* paired by id alone: any of these may be it */
	int nalt;
};

static struct model {
	struct mentry e[MAX_TABLE];
	int n, max, next_user;
	int64_t timeout, now, base, latest;
	struct expect want[MAX_EXPECTED];
	int nwant, ngot;
} md;

static int64_t span(int64_t from, int64_t to, int64_t unit)
{
	return to > from ? (to - from) / unit : 0;
}

static void want(struct expect x)
{
	REQUIRE(md.nwant < MAX_EXPECTED);
	md.want[md.nwant++] = x;
}

static void model_remove(int i)
{
	memmove(&md.e[i], &md.e[i + 1], (size_t)(md.n - i - 1) * sizeof(md.e[0]));
	md.n--;
}

static void model_end(int i, enum match_kind kind, int64_t ts, int eoi)
{
	const struct mentry *e = &md.e[i];

	want((struct expect){.kind = kind,
			     .user = e->user,
			     .retries = e->retries,
			     .ts = ts,
			     .waited_ms = span(e->first, ts, MS),
			     .end_of_input = eoi});
	model_remove(i);
}

static int same_q(const struct mentry *e, int flow, int name, uint16_t qtype)
{
	return e->flow == flow && e->qtype == qtype && strcasecmp(names[e->name], names[name]) == 0;
}

static int model_query(int flow, int name, uint16_t qtype, uint16_t txid, int64_t ts)
{
	struct mentry *e;

	if (ts > md.latest)
		md.latest = ts;
	md.base = md.base > ts ? md.base : ts;
	md.base = md.base > md.now ? md.base : md.now;
	for (int i = 0; i < md.n; i++) {
		if (!same_q(&md.e[i], flow, name, qtype))
			continue;
		struct mentry r = md.e[i];
		int known = 0;

		r.retries++;
		r.last = ts;
		for (unsigned k = 0; k < r.ntxids; k++)
			known |= r.txid[k] == txid;
		if (!known && r.ntxids < MATCH_TXIDS_KEPT)
			r.txid[r.ntxids++] = txid;
		else if (!known)
			r.txid[1 + r.retries % (MATCH_TXIDS_KEPT - 1)] = txid;
		r.deadline = md.base + md.timeout;
		model_remove(i);
		md.e[md.n++] = r;
		return -1;
	}
	if (md.n == md.max)
		model_end(0, MATCH_EVICTED, md.latest, 0);
	e = &md.e[md.n++];
	*e = (struct mentry){.flow = flow,
			     .name = name,
			     .user = md.next_user++,
			     .qtype = qtype,
			     .txid = {txid},
			     .ntxids = 1,
			     .first = ts,
			     .last = ts,
			     .deadline = md.base + md.timeout};
	return e->user;
}

static void model_response(int flow, int has_q, int name, uint16_t qtype, uint16_t txid, int64_t ts)
{
	struct expect x = {.kind = MATCH_UNSOLICITED, .user = -1, .ts = ts};
	int found = 0;

	if (ts > md.latest)
		md.latest = ts;
	for (int i = 0; i < md.n; i++) {
		const struct mentry *e = &md.e[i];
		int hit = 0;

		if (has_q && same_q(e, flow, name, qtype))
			for (unsigned k = 0; k < e->ntxids; k++)
				hit |= e->txid[k] == txid;
		if (!has_q)
			hit = e->flow == flow && e->txid[0] == txid;
		if (hit) {
			x.alt_users[x.nalt++] = e->user;
			found = 1;
		}
	}
	if (found) {
		/* The matcher tells which one (ids alone can be ambiguous);
		 * on_result checks it is one of them and the model follows. */
		x.kind = MATCH_PAIRED;
	}
	want(x);
}

static void model_advance(int64_t now)
{
	if (now < md.now)
		return;
	md.now = now;
	if (now > md.latest)
		md.latest = now;
	while (md.n && md.e[0].deadline <= now)
		model_end(0, MATCH_TIMEOUT, md.e[0].deadline, 0);
}

static void model_flush(void)
{
	while (md.n) {
		if (md.e[0].deadline <= md.latest)
			model_end(0, MATCH_TIMEOUT, md.e[0].deadline, 0);
		else
			model_end(0, MATCH_TIMEOUT, md.latest, 1);
	}
}

/* ---- the matcher's results against the model's ---------------------------- */

static void on_result(const struct match_result *r, void *ctx)
{
	const struct expect *x;

	(void)ctx;
	REQUIRE(md.ngot < md.nwant);
	x = &md.want[md.ngot++];
	REQUIRE(r->kind == x->kind && r->ts_ns == x->ts);
	if (r->kind == MATCH_UNSOLICITED) {
		REQUIRE(r->query == NULL && r->response != NULL);
		return;
	}
	REQUIRE(r->query != NULL && r->query->name != NULL);
	if (r->kind != MATCH_PAIRED) {
		REQUIRE(r->retries == x->retries);
		REQUIRE(r->response == NULL);
		REQUIRE((int)(intptr_t)r->query->user == x->user);
		REQUIRE(r->waited_ms == x->waited_ms && r->end_of_input == x->end_of_input);
		return;
	}
	REQUIRE(r->response != NULL);
	int user = (int)(intptr_t)r->query->user, at = -1;

	for (int i = 0; i < x->nalt; i++)
		if (x->alt_users[i] == user)
			at = i;
	REQUIRE(at >= 0);
	for (int i = 0; i < md.n; i++)
		if (md.e[i].user == user) {
			/* By id alone the match can be any of several: the
			 * figures are those of the one the matcher chose. */
			REQUIRE(r->retries == md.e[i].retries);
			REQUIRE(r->latency_us == span(md.e[i].first, r->ts_ns, 1000));
			REQUIRE(r->latency_last_us == span(md.e[i].last, r->ts_ns, 1000));
			REQUIRE(strcasecmp(r->query->name, names[md.e[i].name]) == 0);
			model_remove(i);
			return;
		}
	REQUIRE(0);
}

static void check_stats(const struct matcher *m)
{
	const struct match_stats *s = match_stats(m);
	size_t buckets = 1;

	REQUIRE(md.ngot == md.nwant);
	REQUIRE(s->pending == (uint32_t)md.n && s->pending <= (uint32_t)md.max);
	REQUIRE(s->queries ==
		s->retries + s->untracked + s->paired + s->timeouts + s->evicted + s->pending);
	REQUIRE(s->responses == s->paired + s->unsolicited);
	REQUIRE(s->untracked == 0);
	while (buckets < (size_t)md.max)
		buckets <<= 1;
	/* A slot per entry the table may hold (well under 512 bytes each),
	 * two bucket heads per slot, names kept aside under 256 bytes. */
	REQUIRE(match_memory(m) <=
		4096 + (size_t)md.max * 512 + 2 * buckets * sizeof(uint32_t) + (size_t)md.n * 256);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_opts o = {.seed = 1, .on_result = on_result};
	struct matcher *m;
	int64_t t = 1000000 * MS;

	if (size < 2)
		return 0;
	make_flows();
	memset(&md, 0, sizeof(md));
	md.max = 1 + data[0] % MAX_TABLE;
	md.timeout = (1 + data[1] % 16) * 100 * MS;
	md.now = md.base = md.latest = INT64_MIN;
	o.max_pending = (uint32_t)md.max;
	o.timeout_ns = md.timeout;
	m = match_new(&o);
	REQUIRE(m != NULL);
	for (size_t i = 2; i + 4 <= size; i += 4) {
		uint8_t k = data[i], a = data[i + 1], b = data[i + 2], c = data[i + 3];
		int flow = a % NFLOWS, name = b % (int)NNAMES;
		uint16_t txid = (a >> 3) & 3, qtype = b & 0x80 ? 28 : 1;
		int64_t ts = t + (int8_t)c * MS;

		md.nwant = md.ngot = 0;
		switch (k % 8) {
		case 0:
		case 1:
		case 2: {
			int user = model_query(flow, name, qtype, txid, ts);
			struct match_query q = {.flow = flows[flow],
						.ts_ns = ts,
						.txid = txid,
						.qtype = qtype,
						.qclass = 1,
						.name = names[name],
						.user = (void *)(intptr_t)user};

			REQUIRE(match_query(m, &q) == (user < 0 ? MATCH_Q_RETRY : MATCH_Q_NEW));
			break;
		}
		case 3:
		case 4:
		case 5: {
			/* The response to flow's queries: endpoints swapped. */
			struct match_response r = {.ts_ns = ts,
						   .txid = txid,
						   .has_question = !(a & 0x80),
						   .qtype = qtype,
						   .qclass = 1,
						   .name = names[name]};

			r.flow = flows[flow];
			memcpy(r.flow.saddr, flows[flow].daddr, 16);
			memcpy(r.flow.daddr, flows[flow].saddr, 16);
			r.flow.sport = flows[flow].dport;
			r.flow.dport = flows[flow].sport;
			model_response(flow, r.has_question, name, qtype, txid, ts);
			match_response(m, &r);
			break;
		}
		case 6:
			t += (int16_t)(b << 8 | c) * MS / 16;
			model_advance(t);
			match_advance(m, t);
			break;
		default:
			if (a == 0) {
				model_flush();
				match_flush(m);
			} else {
				t += a * 10 * MS;
				model_advance(t);
				match_advance(m, t);
			}
			break;
		}
		check_stats(m);
	}
	md.nwant = md.ngot = 0;
	model_flush();
	match_flush(m);
	check_stats(m);
	match_free(m);
	return 0;
}
