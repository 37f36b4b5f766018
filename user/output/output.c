/* output.c - the one formatter for replay and live tracing.
 *
 * Every line is built completely in a per-thread growable buffer and then
 * handed to stdio with a single fwrite(), so a failing or concurrent write
 * never leaves half a line in the middle of another.  The buffer is kept
 * between events (no per-event malloc once it has grown to the largest line
 * seen).  If memory for a line cannot be had, the line is dropped whole
 * rather than written truncated.
 *
 * Strings that come from processes (comm, exe, cmdline, cwd, container and
 * pod names, ...) are capped at FIELD_MAX input bytes; a capped field ends in
 * a visible "...".  The domain is not capped (the decoder bounds it).
 *
 * Escaping:
 *   json/kubearmor: strings go through json_escape() (the rules are in
 *     json_escape.h), so a line is always valid UTF-8 JSON.
 *   text: nothing but 0x20..0x7e reaches the terminal.  Process strings
 *     write other bytes as \xHH and a backslash as "\\"; the domain is
 *     already RFC 1035 presentation text, so its other bytes (and a raw
 *     space) are written as \DDD.
 */
#include "output/output.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire/dns_types.h"
#include "output/json_escape.h"
#include "util/bytes.h"
#include "util/str.h"

#define FIELD_MAX 4096 /* cap for process-supplied strings, in input bytes */
#define NO_CAP	  ((size_t)-1)

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static _Thread_local struct sbuf line_buf;

static const char hex_uc[] = "0123456789ABCDEF";

/* ---- buffer ------------------------------------------------------------ */

static int sb_grow(struct sbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	need = b->len + n;
	if (need < b->len)
		goto fail;
	cap = b->cap ? b->cap : 8192;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto fail;
	b->p = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

/* Make room for n more bytes; -1 (and the line is dropped) on failure. */
static inline int sb_reserve(struct sbuf *b, size_t n)
{
	if (!b->oom && b->cap - b->len >= n)
		return 0;
	return sb_grow(b, n);
}

static void sb_mem(struct sbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

#define sb_lit(b, s) sb_mem((b), (s), sizeof(s) - 1)

static void sb_str(struct sbuf *b, const char *s)
{
	if (s)
		sb_mem(b, s, strlen(s));
}

static void sb_ch(struct sbuf *b, char c)
{
	if (sb_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

static void sb_u64(struct sbuf *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_mem(b, tmp + sizeof(tmp) - n, n);
}

static void sb_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sb_ch(b, '-');
		sb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(b, (uint64_t)v);
	}
}

/* Right-align v in width columns. */
static void sb_u64_right(struct sbuf *b, uint64_t v, size_t width)
{
	size_t digits = 1;
	uint64_t t = v;

	while (t >= 10) {
		t /= 10;
		digits++;
	}
	while (digits++ < width)
		sb_ch(b, ' ');
	sb_u64(b, v);
}

/* Pad with spaces until the column that started at offset start is width
 * wide, then add gap more spaces (a column separator). */
static void sb_pad(struct sbuf *b, size_t start, size_t width, size_t gap)
{
	size_t used = b->len - start, n = gap;

	if (b->oom)
		return;
	if (used < width)
		n += width - used;
	if (sb_reserve(b, n))
		return;
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

/* ---- strings ----------------------------------------------------------- */

/* Length of s capped at max bytes; *trunc says whether it was capped.  A
 * cap never splits a UTF-8 sequence. */
static size_t capped_len(const char *s, size_t max, int *trunc)
{
	size_t n, k;

	*trunc = 0;
	if (!s)
		return 0;
	if (max == NO_CAP)
		return strlen(s);
	n = strnlen(s, max + 1);
	if (n <= max)
		return n;
	*trunc = 1;
	n = max;
	for (k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
		n--;
	return n;
}

/* A quoted JSON string of n bytes of s (see json_escape.h). */
static void json_strn(struct sbuf *b, const char *s, size_t n, int trunc)
{
	size_t room = json_escape_room(n);

	if (room == SIZE_MAX) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, room))
		return;
	b->len = (size_t)(json_escape(b->p + b->len, s, n, trunc) - b->p);
}

/* JSON string of s, capped at max bytes; NULL is "". */
static void json_str(struct sbuf *b, const char *s, size_t max)
{
	int trunc;
	size_t n = capped_len(s, max, &trunc);

	json_strn(b, s ? s : "", n, trunc);
}

/* Terminal-safe text of n bytes of s (see the notes on top). */
static void text_strn(struct sbuf *b, const char *s, size_t n, int trunc, int domain)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	char *o;

	if (n > (SIZE_MAX - 8) / 4) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, n * 4 + 4))
		return;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		unsigned c = u[i];

		if (domain) {
			if (c > 0x20 && c < 0x7f) {
				*o++ = (char)c;
			} else {
				*o++ = '\\';
				*o++ = (char)('0' + c / 100);
				*o++ = (char)('0' + c / 10 % 10);
				*o++ = (char)('0' + c % 10);
			}
		} else if (c >= 0x20 && c < 0x7f) {
			if (c == '\\')
				*o++ = '\\';
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = HEX_DIGITS_LC[c >> 4];
			*o++ = HEX_DIGITS_LC[c & 0xf];
		}
	}
	if (trunc) {
		memcpy(o, "...", 3); // NOLINT(bugprone-not-null-terminated-result): not a C string
		o += 3;
	}
	b->len = (size_t)(o - b->p);
}

static void text_str(struct sbuf *b, const char *s, size_t max, int domain)
{
	int trunc;
	size_t n = capped_len(s, max, &trunc);

	text_strn(b, s ? s : "", n, trunc, domain);
}

/* A value inside the kubearmor Data / EventData.Kfunc string, which is a
 * "key=value,key=value" list.  So that no value can add or split a pair,
 * ',' '=' '%' and every byte outside 0x21..0x7e are percent-encoded
 * ("%2C" "%3D" "%25" "%20" ...).  The result is then JSON-escaped in place
 * (only '"' and '\\' can still need it). */
static void data_val(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), i;
	char *o;

	if (n > (SIZE_MAX - 8) / 3) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, n * 3))
		return;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		unsigned c = u[i];

		if (c < 0x21 || c > 0x7e || c == ',' || c == '=' || c == '%') {
			*o++ = '%';
			*o++ = hex_uc[c >> 4];
			*o++ = hex_uc[c & 0xf];
		} else {
			if (c == '"' || c == '\\')
				*o++ = '\\';
			*o++ = (char)c;
		}
	}
	b->len = (size_t)(o - b->p);
}

/* ---- fields ------------------------------------------------------------ */

struct time_cache {
	time_t sec;
	int valid;
	size_t len;
	char s[48]; /* "YYYY-MM-DDTHH:MM:SS" */
};

static _Thread_local struct time_cache tcache;

/* "YYYY-MM-DDTHH:MM:SS" of sec, from a cache of the last second seen. */
static const char *time_prefix(time_t sec, size_t *len)
{
	struct time_cache *c = &tcache;

	if (!c->valid || c->sec != sec) {
		struct tm tm;
		int n;

		if (!gmtime_r(&sec, &tm)) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = 70;
			tm.tm_mday = 1;
		}
		n = snprintf(c->s, sizeof(c->s), "%04lld-%02d-%02dT%02d:%02d:%02d",
			     (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			     tm.tm_min, tm.tm_sec);
		if (n < 19 || (size_t)n >= sizeof(c->s)) {
			strcpy(c->s, "1970-01-01T00:00:00");
			n = 19;
		}
		c->len = (size_t)n;
		c->sec = sec;
		c->valid = 1;
	}
	*len = c->len;
	return c->s;
}

static void put_usec(struct sbuf *b, long nsec)
{
	char t[7];
	long us;
	int i;

	if (nsec < 0 || nsec > 999999999L)
		nsec = 0;
	us = nsec / 1000;
	t[0] = '.';
	for (i = 6; i > 0; i--) {
		t[i] = (char)('0' + us % 10);
		us /= 10;
	}
	sb_mem(b, t, sizeof(t));
}

/* RFC 3339 UTC with microseconds: 2025-12-08T18:28:47.125539Z */
static void put_rfc3339(struct sbuf *b, const struct timespec *ts)
{
	size_t n;
	const char *p = time_prefix(ts->tv_sec, &n);

	sb_mem(b, p, n);
	put_usec(b, ts->tv_nsec);
	sb_ch(b, 'Z');
}

/* HH:MM:SS.uuuuuu (UTC) */
static void put_clock(struct sbuf *b, const struct timespec *ts)
{
	size_t n;
	const char *p = time_prefix(ts->tv_sec, &n);

	sb_mem(b, p + n - 8, 8);
	put_usec(b, ts->tv_nsec);
}

static void put_family(struct sbuf *b, int family)
{
	if (family == AF_INET) {
		sb_lit(b, "AF_INET");
	} else if (family == AF_INET6) {
		sb_lit(b, "AF_INET6");
	} else {
		sb_lit(b, "AF_");
		sb_i64(b, family);
	}
}

static void put_proto(struct sbuf *b, uint8_t proto)
{
	if (proto == IPPROTO_UDP)
		sb_lit(b, "udp");
	else if (proto == IPPROTO_TCP)
		sb_lit(b, "tcp");
	else
		sb_u64(b, proto);
}

/* The address as inet_ntop prints it ("" for an unknown family).  IPv4 is
 * formatted here, which prints the same and is much faster. */
static void put_addr(struct sbuf *b, int family, const uint8_t *a)
{
	if (family == AF_INET) {
		int i;

		for (i = 0; i < 4; i++) {
			if (i)
				sb_ch(b, '.');
			sb_u64(b, a[i]);
		}
	} else if (family == AF_INET6) {
		char s[INET6_ADDRSTRLEN];

		if (inet_ntop(AF_INET6, a, s, sizeof(s)))
			sb_str(b, s);
	}
}

/* 1.2.3.4:53 or [2001:db8::1]:53 */
static void put_endpoint(struct sbuf *b, int family, const uint8_t *a, uint16_t port)
{
	if (family == AF_INET6)
		sb_ch(b, '[');
	put_addr(b, family, a);
	if (family == AF_INET6)
		sb_ch(b, ']');
	sb_ch(b, ':');
	sb_u64(b, port);
}

static const char *kfunc_name(const struct dnsvis_event *ev)
{
	const char *src = ev->source ? ev->source : "";

	if (strstr(src, "udpv6_sendmsg"))
		return "UDPV6_SENDMSG";
	if (strstr(src, "tcp") || ev->proto == IPPROTO_TCP)
		return "TCP_SENDMSG";
	return "UDP_SENDMSG";
}

static const char *host_name(const struct output_opts *o)
{
	static _Thread_local char name[256];
	static _Thread_local int have;

	if (o->host_name && *o->host_name)
		return o->host_name;
	if (!have) {
		if (gethostname(name, sizeof(name)) != 0)
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		have = 1;
	}
	return name;
}

/* ---- formats ----------------------------------------------------------- */

/* A literal key (with the separator before it) and its value: a JSON
 * string capped at FIELD_MAX, or a number. */
#define put_str_field(b, key, s) (sb_lit((b), (key)), json_str((b), (s), FIELD_MAX))
#define put_u64_field(b, key, v) (sb_lit((b), (key)), sb_u64((b), (v)))

static void json_event(struct sbuf *b, const struct dnsvis_event *ev)
{
	const struct dnsvis_proc *p = ev->proc;
	char tbuf[32];

	sb_lit(b, "{\"time\":\"");
	put_rfc3339(b, &ev->ts);
	put_str_field(b, "\",\"source\":", ev->source);
	sb_lit(b, ",\"family\":\"");
	put_family(b, ev->family);
	sb_lit(b, "\",\"proto\":\"");
	put_proto(b, ev->proto);
	sb_lit(b, "\",\"saddr\":\"");
	put_addr(b, ev->family, ev->saddr);
	put_u64_field(b, "\",\"sport\":", ev->sport);
	sb_lit(b, ",\"daddr\":\"");
	put_addr(b, ev->family, ev->daddr);
	put_u64_field(b, "\",\"dport\":", ev->dport);
	put_u64_field(b, ",\"txid\":", ev->txid);
	sb_lit(b, ",\"domain\":");
	json_str(b, ev->domain, NO_CAP);
	sb_lit(b, ",\"qtype\":");
	json_str(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)), NO_CAP);
	sb_lit(b, ",\"qclass\":");
	json_str(b, dns_class_name(ev->qclass, tbuf, sizeof(tbuf)), NO_CAP);
	if (p) {
		put_u64_field(b, ",\"pid\":", p->pid);
		put_u64_field(b, ",\"tid\":", p->tid);
		put_u64_field(b, ",\"ppid\":", p->ppid);
		put_u64_field(b, ",\"uid\":", p->uid);
		put_u64_field(b, ",\"gid\":", p->gid);
		sb_lit(b, ",\"comm\":");
		json_strn(b, p->comm, strnlen(p->comm, sizeof(p->comm)), 0);
		put_str_field(b, ",\"exe\":", p->exe);
		put_str_field(b, ",\"cmdline\":", p->cmdline);
		put_u64_field(b, ",\"cgroup_id\":", p->cgroup_id);
		put_str_field(b, ",\"container_id\":", p->container_id);
		put_str_field(b, ",\"pod_uid\":", p->pod_uid);
		put_str_field(b, ",\"pod\":", p->pod);
		put_str_field(b, ",\"k8s_namespace\":", p->k8s_namespace);
		put_str_field(b, ",\"container\":", p->container_name);
		put_str_field(b, ",\"scope\":", p->scope);
		put_u64_field(b, ",\"ns_pid\":", p->ns_pid);
		put_u64_field(b, ",\"ns_ppid\":", p->ns_ppid);
		put_str_field(b, ",\"cwd\":", p->cwd);
		put_str_field(b, ",\"tty\":", p->tty);
		put_str_field(b, ",\"runtime\":", p->runtime);
		put_str_field(b, ",\"qos\":", p->qos);
		put_str_field(b, ",\"container_image\":", p->container_image);
	}
	sb_lit(b, "}\n");
}

/* The telemetry record of KubeArmor's DNS visibility (kprobe/udp_sendmsg):
 * same keys, order, nesting and value types.  Owner is left out: we never
 * know it (KubeArmor leaves it out of host logs too).  Unknown fields are
 * "" or 0. */
static void kubearmor_event(struct sbuf *b, const struct output_opts *o,
			    const struct dnsvis_event *ev)
{
	static const struct dnsvis_proc none;
	const struct dnsvis_proc *p = ev->proc ? ev->proc : &none;
	const char *exe = str_or_empty(p->exe), *slash = strrchr(exe, '/');
	const char *cluster = o->cluster_name && *o->cluster_name ? o->cluster_name : "default";
	char tbuf[32];
	size_t kf_start, kf_end;

	sb_lit(b, "{\"Timestamp\":");
	sb_i64(b, ev->ts.tv_sec);
	sb_lit(b, ",\"UpdatedTime\":\"");
	put_rfc3339(b, &ev->ts);
	put_str_field(b, "\",\"ClusterName\":", cluster);
	put_str_field(b, ",\"HostName\":", host_name(o));
	put_str_field(b, ",\"NamespaceName\":", p->k8s_namespace);
	put_str_field(b, ",\"PodName\":", p->pod);
	put_str_field(b, ",\"Labels\":", p->labels);
	put_str_field(b, ",\"ContainerID\":", p->container_id);
	put_str_field(b, ",\"ContainerName\":", p->container_name);
	put_str_field(b, ",\"ContainerImage\":", p->container_image);
	put_str_field(b, ",\"ParentProcessName\":", p->parent_exe);
	put_str_field(b, ",\"ProcessName\":", exe);
	put_u64_field(b, ",\"HostPPID\":", p->ppid);
	put_u64_field(b, ",\"HostPID\":", p->pid);
	put_u64_field(b, ",\"PPID\":", p->ns_ppid);
	put_u64_field(b, ",\"PID\":", p->ns_pid);
	put_u64_field(b, ",\"UID\":", p->uid);
	if (p->scope && strcmp(p->scope, "container") == 0)
		sb_lit(b, ",\"Type\":\"ContainerLog\"");
	else
		sb_lit(b, ",\"Type\":\"HostLog\"");
	put_str_field(b, ",\"Source\":", p->cmdline);
	sb_lit(b, ",\"Operation\":\"Network\",\"Resource\":\"sa_family=");
	put_family(b, ev->family);
	if (ev->family == AF_INET6)
		sb_lit(b, " sin6_port=");
	else
		sb_lit(b, " sin_port=");
	sb_u64(b, ev->dport);
	sb_lit(b, "\",\"Data\":\"kfunc=");
	kf_start = b->len;
	sb_str(b, kfunc_name(ev));
	sb_lit(b, ",domain=");
	data_val(b, ev->domain);
	sb_lit(b, ",daddr=");
	put_addr(b, ev->family, ev->daddr);
	sb_lit(b, ",qtype=");
	data_val(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)));
	kf_end = b->len;
	sb_lit(b, "\",\"EventData\":{\"Kfunc\":\"");
	if (!b->oom && !sb_reserve(b, kf_end - kf_start)) {
		memcpy(b->p + b->len, b->p + kf_start, kf_end - kf_start);
		b->len += kf_end - kf_start;
	}
	sb_lit(b, "\",\"Sa_family\":\"");
	put_family(b, ev->family);
	put_u64_field(b, "\",\"Sin_port\":\"", ev->dport);
	put_str_field(b, "\"},\"Result\":\"Passed\",\"Cwd\":", p->cwd);
	put_str_field(b, ",\"TTY\":", p->tty);
	sb_lit(b, ",\"ExecEvent\":{\"ExecID\":\"");
	/* A stable id of the exec: start time (ns since boot) plus host pid. */
	if (p->start_time)
		sb_u64(b, p->start_time + p->pid);
	put_str_field(b, "\",\"ExecutableName\":", slash ? slash + 1 : exe);
	sb_lit(b, "}}\n");
}

/* Column widths of the text format. */
#define W_TIME	   15 /* HH:MM:SS.uuuuuu */
#define W_PROTO	   5
#define W_ENDPOINT 21 /* 255.255.255.255:65535; IPv6 may be wider */
#define W_TXID	   5
#define W_QTYPE	   8
#define W_PID	   7
#define W_COMM	   16
#define W_DOMAIN   32

/* "A", or "TXT/CH" when the class is not IN. */
static void text_qtype(struct sbuf *b, const struct dnsvis_event *ev)
{
	char tbuf[32];

	text_str(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)), NO_CAP, 0);
	if (ev->qclass != 1) {
		sb_ch(b, '/');
		text_str(b, dns_class_name(ev->qclass, tbuf, sizeof(tbuf)), NO_CAP, 0);
	}
}

/* s padded to width, then gap more spaces: one cell of the header. */
static void header_cell(struct sbuf *b, const char *s, size_t width, size_t gap)
{
	size_t col = b->len;

	sb_str(b, s);
	sb_pad(b, col, width, gap);
}

static void endpoint_cell(struct sbuf *b, int family, const uint8_t *a, uint16_t port, size_t gap)
{
	size_t col = b->len;

	put_endpoint(b, family, a, port);
	sb_pad(b, col, W_ENDPOINT, gap);
}

static void qtype_cell(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	text_qtype(b, ev);
	sb_pad(b, col, W_QTYPE, 2);
}

/* The columns after the time when no process is known (replay). */
static void text_packet_cols(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	put_proto(b, ev->proto);
	sb_pad(b, col, W_PROTO, 2);
	endpoint_cell(b, ev->family, ev->saddr, ev->sport, 1);
	sb_lit(b, "-> ");
	endpoint_cell(b, ev->family, ev->daddr, ev->dport, 2);
	sb_u64_right(b, ev->txid, W_TXID);
	sb_pad(b, b->len, 0, 2);
	qtype_cell(b, ev);
	text_str(b, ev->domain, NO_CAP, 1);
}

/* The columns after the time for the process p that sent ev (live). */
static void text_proc_cols(struct sbuf *b, const struct dnsvis_event *ev,
			   const struct dnsvis_proc *p)
{
	const char *ctr = str_or_empty(p->container_name);
	size_t ctr_max = FIELD_MAX, n, col;
	int trunc;

	if (!*ctr) {
		ctr = str_or_empty(p->container_id);
		ctr_max = 12;
	}
	col = b->len;
	sb_u64(b, p->pid);
	sb_pad(b, col, W_PID, 2);
	col = b->len;
	text_strn(b, p->comm, strnlen(p->comm, sizeof(p->comm)), 0, 0);
	sb_pad(b, col, W_COMM, 2);
	qtype_cell(b, ev);
	col = b->len;
	text_str(b, ev->domain, NO_CAP, 1);
	sb_pad(b, col, W_DOMAIN, 1);
	sb_lit(b, "-> ");
	endpoint_cell(b, ev->family, ev->daddr, ev->dport, 2);
	n = capped_len(ctr, ctr_max, &trunc);
	text_strn(b, ctr, n, trunc && ctr_max == FIELD_MAX, 0);
}

static void text_event(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	put_clock(b, &ev->ts);
	sb_pad(b, col, W_TIME, 2);
	if (ev->proc)
		text_proc_cols(b, ev, ev->proc);
	else
		text_packet_cols(b, ev);
	while (!b->oom && b->len > 0 && b->p[b->len - 1] == ' ')
		b->len--;
	sb_ch(b, '\n');
}

/* ---- API --------------------------------------------------------------- */

static const struct output_opts default_opts = {OUTPUT_TEXT, NULL, NULL};

static struct sbuf *line_begin(void)
{
	line_buf.len = 0;
	line_buf.oom = 0;
	return &line_buf;
}

static void line_end(FILE *out, struct sbuf *b)
{
	if (!b->oom && b->len)
		fwrite(b->p, 1, b->len, out);
}

int output_format_parse(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "text") == 0)
		return OUTPUT_TEXT;
	if (strcmp(name, "json") == 0)
		return OUTPUT_JSON;
	if (strcmp(name, "kubearmor") == 0)
		return OUTPUT_KUBEARMOR;
	return -1;
}

void output_header(FILE *out, const struct output_opts *o, int with_proc)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	if (o->format != OUTPUT_TEXT)
		return;
	b = line_begin();
	header_cell(b, "TIME(UTC)", W_TIME, 2);
	if (!with_proc) {
		header_cell(b, "PROTO", W_PROTO, 2);
		header_cell(b, "SOURCE", W_ENDPOINT, 4);
		header_cell(b, "DESTINATION", W_ENDPOINT, 2);
		sb_lit(b, " TXID  ");
		header_cell(b, "QTYPE", W_QTYPE, 2);
		sb_lit(b, "DOMAIN\n");
	} else {
		header_cell(b, "PID", W_PID, 2);
		header_cell(b, "COMM", W_COMM, 2);
		header_cell(b, "QTYPE", W_QTYPE, 2);
		header_cell(b, "DOMAIN", W_DOMAIN, 4);
		header_cell(b, "SERVER", W_ENDPOINT, 2);
		sb_lit(b, "CONTAINER\n");
	}
	line_end(out, b);
}

void output_event(FILE *out, const struct output_opts *o, const struct dnsvis_event *ev)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	if (!ev)
		return;
	b = line_begin();
	switch (o->format) {
	case OUTPUT_JSON:
		json_event(b, ev);
		break;
	case OUTPUT_KUBEARMOR:
		kubearmor_event(b, o, ev);
		break;
	default:
		text_event(b, ev);
		break;
	}
	line_end(out, b);
}

void output_lost(FILE *out, const struct output_opts *o, uint64_t count, int cpu)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	b = line_begin();
	if (o->format == OUTPUT_TEXT) {
		sb_lit(b, "# lost ");
		sb_u64(b, count);
		sb_lit(b, " events on CPU ");
		sb_i64(b, cpu);
		sb_ch(b, '\n');
	} else {
		sb_lit(b, "{\"type\":\"lost\",\"count\":");
		sb_u64(b, count);
		sb_lit(b, ",\"cpu\":");
		sb_i64(b, cpu);
		sb_lit(b, "}\n");
	}
	line_end(out, b);
}
