/* test_output.c - the output formatter: exact lines, escaping, kubearmor
 * schema order, terminal safety and lost records. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "output/output.h"

/* ---- capture ------------------------------------------------------------ */

enum { EV, HDR_NOPROC, HDR_PROC, LOST };

/* Run one formatter call into memory; the caller frees the result. */
static char *capture(enum output_format fmt, int what, const struct dnsvis_event *ev,
		     const char *host)
{
	struct output_opts o = {.format = fmt, .host_name = host};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (what == EV)
		output_event(f, &o, ev);
	else if (what == HDR_NOPROC)
		output_header(f, &o, 0);
	else if (what == HDR_PROC)
		output_header(f, &o, 1);
	else
		output_lost(f, &o, 12345, 3);
	fclose(f);
	return buf;
}

static char *fmt_event(enum output_format fmt, const struct dnsvis_event *ev)
{
	return capture(fmt, EV, ev, "testhost");
}

/* Exactly one '\n', at the end. */
static int one_line(const char *s)
{
	const char *nl = s ? strchr(s, '\n') : NULL;

	return nl && nl[1] == '\0';
}

/* Nothing but printable ASCII and the final newline. */
static int terminal_safe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++)
		if ((*u < 0x20 || *u >= 0x7f) && !(*u == '\n' && u[1] == '\0'))
			return 0;
	return 1;
}

/* ---- a tiny JSON validator that records every value by key path ---------- */

#define JMAX 64
#define JVAL 20000

struct jent {
	char path[64];
	char type; /* 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null */
	char val[JVAL];
};

static struct jent jents[JMAX];
static int njents;

static const char *jws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static int utf8_ok(const unsigned char *s, int *len)
{
	unsigned c = s[0];
	int n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	*len = n;
	return 1;
}

static void put_utf8(char **o, unsigned cp)
{
	if (cp < 0x80) {
		*(*o)++ = (char)cp;
	} else if (cp < 0x800) {
		*(*o)++ = (char)(0xc0 | cp >> 6);
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*(*o)++ = (char)(0xe0 | cp >> 12);
		*(*o)++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	}
}

/* s at the opening quote; decodes into out (JVAL bytes). */
static const char *jstring(const char *s, char *out)
{
	char *o = out, *end = out + JVAL - 4;

	if (*s++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*s;
		int n;

		if (o >= end)
			return NULL;
		if (c == '"')
			break;
		if (c < 0x20 || c == 0x7f) /* 0x7f is legal JSON, but we promise to escape it */
			return NULL;
		if (c == '\\') {
			const char *esc = "\"\\/bfnrt", *rep = "\"\\/\b\f\n\r\t";
			const char *k;

			s++;
			if (*s == 'u') {
				unsigned cp = 0;
				int i;

				for (i = 1; i <= 4; i++) {
					char h = s[i];

					cp <<= 4;
					if (h >= '0' && h <= '9')
						cp |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f')
						cp |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						cp |= (unsigned)(h - 'A' + 10);
					else
						return NULL;
				}
				put_utf8(&o, cp);
				s += 5;
				continue;
			}
			k = *s ? strchr(esc, *s) : NULL;
			if (!k)
				return NULL;
			*o++ = rep[k - esc];
			s++;
			continue;
		}
		if (c >= 0x80) {
			if (!utf8_ok((const unsigned char *)s, &n))
				return NULL;
			memcpy(o, s, (size_t)n);
			o += n;
			s += n;
			continue;
		}
		*o++ = (char)c;
		s++;
	}
	*o = '\0';
	return s + 1;
}

static struct jent *jadd(const char *path, char type)
{
	struct jent *e;

	if (njents >= JMAX)
		return NULL;
	e = &jents[njents++];
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->type = type;
	e->val[0] = '\0';
	return e;
}

static const char *jvalue(const char *s, const char *path, int depth)
{
	struct jent *e;

	s = jws(s);
	if (depth > 8)
		return NULL;
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';
		int first = 1;

		if (!jadd(path, *s == '{' ? 'o' : 'a'))
			return NULL;
		s = jws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			char sub[64];

			if (close == '}') {
				static char key[JVAL];

				s = jws(s);
				s = jstring(s, key);
				if (!s)
					return NULL;
				s = jws(s);
				if (*s++ != ':')
					return NULL;
				if (strlen(path) + strlen(key) + 2 > sizeof(sub))
					return NULL;
				strcpy(sub, path);
				if (*path)
					strcat(sub, ".");
				strcat(sub, key);
			} else {
				snprintf(sub, sizeof(sub), "%s[]", path);
			}
			s = jvalue(s, sub, depth + 1);
			if (!s)
				return NULL;
			s = jws(s);
			first = 0;
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == close)
				return first ? NULL : s + 1;
			return NULL;
		}
	}
	if (*s == '"') {
		e = jadd(path, 's');
		return e ? jstring(s, e->val) : NULL;
	}
	if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4))
		return jadd(path, s[0] == 't' ? 'b' : 'z') ? s + 4 : NULL;
	if (!strncmp(s, "false", 5))
		return jadd(path, 'b') ? s + 5 : NULL;
	{
		const char *p = s;

		if (*p == '-')
			p++;
		if (*p == '0')
			p++;
		else if (*p >= '1' && *p <= '9')
			while (*p >= '0' && *p <= '9')
				p++;
		else
			return NULL;
		if (*p == '.') {
			p++;
			if (!(*p >= '0' && *p <= '9'))
				return NULL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '+' || *p == '-')
				p++;
			if (!(*p >= '0' && *p <= '9'))
				return NULL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		e = jadd(path, 'n');
		if (!e || (size_t)(p - s) >= JVAL)
			return NULL;
		memcpy(e->val, s, (size_t)(p - s));
		e->val[p - s] = '\0';
		return p;
	}
}

/* A line holding exactly one JSON object, then "\n". */
static int json_line_ok(const char *line)
{
	const char *end;

	njents = 0;
	if (!line || *line != '{' || !one_line(line))
		return 0;
	end = jvalue(line, "", 0);
	return end && strcmp(end, "\n") == 0;
}

static const struct jent *jget(const char *path)
{
	int i;

	for (i = 0; i < njents; i++)
		if (strcmp(jents[i].path, path) == 0)
			return &jents[i];
	return NULL;
}

static const char *jstr(const char *path)
{
	const struct jent *e = jget(path);

	return e && e->type == 's' ? e->val : NULL;
}

static const char *jnum(const char *path)
{
	const struct jent *e = jget(path);

	return e && e->type == 'n' ? e->val : NULL;
}

/* "path:type,path:type,..." of the whole document, in order. */
static void jshape(char *out, size_t size)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 1; i < njents && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s:%c", i > 1 ? "," : "", jents[i].path,
				      jents[i].type);
}

/* ---- events --------------------------------------------------------------- */

static void v4(uint8_t *a, const char *s)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) != 1)
		abort();
}

static void v6(uint8_t *a, const char *s)
{
	if (inet_pton(AF_INET6, s, a) != 1)
		abort();
}

/* 2025-12-08T18:28:47.125539Z, 10.0.0.2:41234 -> 10.43.0.10:53, A google.com */
static struct dnsvis_event ev_v4(void)
{
	struct dnsvis_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts.tv_sec = 1765218527;
	ev.ts.tv_nsec = 125539999;
	ev.source = "pcap";
	ev.family = AF_INET;
	ev.proto = IPPROTO_UDP;
	v4(ev.saddr, "10.0.0.2");
	v4(ev.daddr, "10.43.0.10");
	ev.sport = 41234;
	ev.dport = 53;
	ev.txid = 0x1234;
	ev.domain = "google.com";
	ev.qtype = 1;
	ev.qclass = 1;
	return ev;
}

static struct dnsvis_proc proc_curl(void)
{
	struct dnsvis_proc p;

	memset(&p, 0, sizeof(p));
	p.pid = 251151;
	p.tid = 251152;
	p.ppid = 247074;
	p.uid = 0;
	p.gid = 0;
	p.ns_pid = 51;
	p.ns_ppid = 41;
	p.cgroup_id = 12345678901ULL;
	strcpy(p.comm, "curl");
	p.exe = "/usr/bin/curl";
	p.cmdline = "/usr/bin/curl google.com";
	p.parent_exe = "/usr/bin/bash";
	p.cwd = "/";
	p.tty = "pts0";
	p.scope = "container";
	p.container_id = "c830ee7121da37bde4021a90d51728d05bf2e71ac5a31b6461a39b7cf77cffb1";
	p.container_name = "nginx";
	p.container_image = "docker.io/library/nginx:latest";
	p.pod = "nginx-779797d5bd-wlrsn";
	p.pod_uid = "0f4c1e9a-1111-2222-3333-444455556666";
	p.k8s_namespace = "default";
	p.labels = "app=nginx";
	p.start_time = 1078688820490276ULL;
	return p;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_parse(void)
{
	CHECK_INT(output_format_parse("text"), OUTPUT_TEXT);
	CHECK_INT(output_format_parse("json"), OUTPUT_JSON);
	CHECK_INT(output_format_parse("kubearmor"), OUTPUT_KUBEARMOR);
	CHECK_INT(output_format_parse("JSON"), -1);
	CHECK_INT(output_format_parse(""), -1);
	CHECK_INT(output_format_parse(NULL), -1);
}

static void test_json_exact_v4(void)
{
	struct dnsvis_event ev = ev_v4();
	char *s = fmt_event(OUTPUT_JSON, &ev);

	CHECK_STR(
	    s,
	    "{\"time\":\"2025-12-08T18:28:47.125539Z\",\"source\":\"pcap\","
	    "\"family\":\"AF_INET\",\"proto\":\"udp\",\"saddr\":\"10.0.0.2\","
	    "\"sport\":41234,\"daddr\":\"10.43.0.10\",\"dport\":53,\"txid\":4660,"
	    "\"opcode\":\"QUERY\",\"domain\":\"google.com\",\"qtype\":\"A\",\"qclass\":\"IN\"}\n");
	CHECK(json_line_ok(s));
	free(s);
}

static void test_json_exact_v6_proc(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char *s;

	ev.family = AF_INET6;
	ev.source = "kprobe/udpv6_sendmsg";
	v6(ev.saddr, "2001:db8::2");
	v6(ev.daddr, "::ffff:10.43.0.10");
	ev.qtype = 28;
	ev.proc = &p;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK_STR(
	    s,
	    "{\"time\":\"2025-12-08T18:28:47.125539Z\",\"source\":\"kprobe/udpv6_sendmsg\","
	    "\"family\":\"AF_INET6\",\"proto\":\"udp\",\"saddr\":\"2001:db8::2\","
	    "\"sport\":41234,\"daddr\":\"::ffff:10.43.0.10\",\"dport\":53,\"txid\":4660,"
	    "\"opcode\":\"QUERY\",\"domain\":\"google.com\",\"qtype\":\"AAAA\",\"qclass\":\"IN\","
	    "\"pid\":251151,\"tid\":251152,\"ppid\":247074,\"uid\":0,\"gid\":0,"
	    "\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\","
	    "\"cmdline\":\"/usr/bin/curl google.com\",\"cgroup_id\":12345678901,"
	    "\"container_id\":"
	    "\"c830ee7121da37bde4021a90d51728d05bf2e71ac5a31b6461a39b7cf77cffb1\","
	    "\"pod_uid\":\"0f4c1e9a-1111-2222-3333-444455556666\","
	    "\"pod\":\"nginx-779797d5bd-wlrsn\",\"k8s_namespace\":\"default\","
	    "\"container\":\"nginx\",\"scope\":\"container\",\"ns_pid\":51,"
	    "\"ns_ppid\":41,\"cwd\":\"/\",\"tty\":\"pts0\",\"runtime\":\"\",\"qos\":\"\","
	    "\"container_image\":\"docker.io/library/nginx:latest\"}\n");
	CHECK(json_line_ok(s));
	free(s);
}

static void test_json_null_strings(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p;
	char *s;

	memset(&p, 0, sizeof(p)); /* every string pointer NULL, comm empty */
	ev.proc = &p;
	ev.domain = NULL;
	ev.source = NULL;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("domain"), "");
	CHECK_STR(jstr("source"), "");
	CHECK_STR(jstr("exe"), "");
	CHECK_STR(jstr("cmdline"), "");
	CHECK_STR(jstr("scope"), "");
	CHECK_STR(jstr("tty"), "");
	CHECK_STR(jstr("comm"), "");
	free(s);
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("Source"), "");
	CHECK_STR(jstr("ExecEvent.ExecutableName"), "");
	CHECK_STR(jstr("ExecEvent.ExecID"), "");
	CHECK_STR(jstr("Data"), "kfunc=UDP_SENDMSG,domain=,daddr=10.43.0.10,qtype=A");
	free(s);
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(one_line(s) && terminal_safe(s));
	free(s);
}

static const char hostile[] = "a\"b\\c,d=e\n\t\x1b[2J\x1b]0;x\a\x01\x7f\xff\xc3\xa9"
			      "\xe2\x80\xa8\xc2\x9b\xed\xa0\x80\xf4\x90\x80\x80\xc0\xaf|"
			      "\xe2\x80\xae\xf0\x9f\x98\x80\xe2\x82";

static void test_json_hostile(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char *s;

	strcpy(p.comm, "x\n\"\\\x1b[2J\x01\x7f\xff");
	p.cmdline = hostile;
	p.exe = hostile;
	p.cwd = hostile;
	ev.domain = hostile;
	ev.proc = &p;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(one_line(s));
	CHECK(json_line_ok(s));
	CHECK(s && strstr(s, "\"comm\":\"x\\n\\\"\\\\\\u001b[2J\\u0001\\u007f\\u00ff\""));
	/* ", \, , and = kept, \n \t short, ESC BEL 0x01 0x7f as \u, 0xff as
	 * U+00FF, é raw, U+2028 / C1 CSI / U+202E escaped, bad sequences
	 * (surrogate, > U+10FFFF, overlong, truncated) byte by byte, 😀 raw. */
	CHECK(s && strstr(s, "\"cmdline\":\"a\\\"b\\\\c,d=e\\n\\t\\u001b[2J\\u001b]0;x\\u0007"
			     "\\u0001\\u007f\\u00ff\xc3\xa9\\u2028\\u009b"
			     "\\u00ed\\u00a0\\u0080\\u00f4\\u0090\\u0080\\u0080\\u00c0\\u00af|"
			     "\\u202e\xf0\x9f\x98\x80\\u00e2\\u0082\""));
	CHECK(s && !strchr(s, '\x1b') && !strchr(s, '\x7f') && !strchr(s, '\x01'));
	free(s);
}

static const char *const ka_shape =
    "Timestamp:n,UpdatedTime:s,ClusterName:s,HostName:s,NamespaceName:s,PodName:s,"
    "Labels:s,ContainerID:s,ContainerName:s,ContainerImage:s,ParentProcessName:s,"
    "ProcessName:s,HostPPID:n,HostPID:n,PPID:n,PID:n,UID:n,Type:s,Source:s,"
    "Operation:s,Resource:s,Data:s,EventData:o,EventData.Kfunc:s,"
    "EventData.Sa_family:s,EventData.Sin_port:s,Result:s,Cwd:s,TTY:s,ExecEvent:o,"
    "ExecEvent.ExecID:s,ExecEvent.ExecutableName:s";

static void test_kubearmor_exact(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char shape[2048];
	char *s;

	ev.source = "kprobe/udp_sendmsg";
	ev.domain = "google.com.default.svc.cluster.local";
	ev.qtype = 28;
	ev.proc = &p;
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK_STR(s,
		  "{\"Timestamp\":1765218527,\"UpdatedTime\":\"2025-12-08T18:28:47.125539Z\","
		  "\"ClusterName\":\"default\",\"HostName\":\"testhost\","
		  "\"NamespaceName\":\"default\",\"PodName\":\"nginx-779797d5bd-wlrsn\","
		  "\"Labels\":\"app=nginx\",\"ContainerID\":"
		  "\"c830ee7121da37bde4021a90d51728d05bf2e71ac5a31b6461a39b7cf77cffb1\","
		  "\"ContainerName\":\"nginx\","
		  "\"ContainerImage\":\"docker.io/library/nginx:latest\","
		  "\"ParentProcessName\":\"/usr/bin/bash\",\"ProcessName\":\"/usr/bin/curl\","
		  "\"HostPPID\":247074,\"HostPID\":251151,\"PPID\":41,\"PID\":51,\"UID\":0,"
		  "\"Type\":\"ContainerLog\",\"Source\":\"/usr/bin/curl google.com\","
		  "\"Operation\":\"Network\",\"Resource\":\"sa_family=AF_INET sin_port=53\","
		  "\"Data\":\"kfunc=UDP_SENDMSG,domain=google.com.default.svc.cluster.local,"
		  "daddr=10.43.0.10,qtype=AAAA\",\"EventData\":{\"Kfunc\":\"UDP_SENDMSG,"
		  "domain=google.com.default.svc.cluster.local,daddr=10.43.0.10,qtype=AAAA\","
		  "\"Sa_family\":\"AF_INET\",\"Sin_port\":\"53\"},\"Result\":\"Passed\","
		  "\"Cwd\":\"/\",\"TTY\":\"pts0\",\"ExecEvent\":{\"ExecID\":\"1078688820741427\","
		  "\"ExecutableName\":\"curl\"}}\n");
	CHECK(json_line_ok(s));
	jshape(shape, sizeof(shape));
	CHECK_STR(shape, ka_shape);
	free(s);
}

/* Split Data on ',' then '=': exactly kfunc, domain, daddr, qtype. */
static int data_pairs_ok(const char *data, const char *kfunc, const char *daddr, const char *qtype)
{
	static const char *const keys[] = {"kfunc", "domain", "daddr", "qtype"};
	char copy[JVAL], *save = NULL, *tok;
	int i = 0;

	snprintf(copy, sizeof(copy), "%s", data);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++) {
		char *eq = strchr(tok, '=');

		if (i >= 4 || !eq || strchr(eq + 1, '='))
			return 0;
		*eq = '\0';
		if (strcmp(tok, keys[i]) != 0)
			return 0;
		if ((i == 0 && strcmp(eq + 1, kfunc)) || (i == 2 && strcmp(eq + 1, daddr)) ||
		    (i == 3 && strcmp(eq + 1, qtype)))
			return 0;
	}
	return i == 4;
}

static void test_kubearmor_hostile(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char shape[2048];
	char *s;

	p.cmdline = hostile;
	p.exe = "/tmp/ev,il=x/\x1b[2Jb\xff";
	strcpy(p.comm, "\x1b[2J");
	ev.proc = &p;
	ev.domain = "evil.com,daddr=6.6.6.6,qtype=A=%41 x\\\"\x01\x7f\xff.";
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(one_line(s));
	CHECK(json_line_ok(s));
	jshape(shape, sizeof(shape));
	CHECK_STR(shape, ka_shape);
	CHECK(jstr("Data") && data_pairs_ok(jstr("Data"), "UDP_SENDMSG", "10.43.0.10", "A"));
	CHECK_STR(jstr("Data"), "kfunc=UDP_SENDMSG,domain=evil.com%2Cdaddr%3D6.6.6.6%2Cqtype%3DA"
				"%3D%2541%20x\\\"%01%7F%FF.,daddr=10.43.0.10,qtype=A");
	CHECK(jstr("Data") && jstr("EventData.Kfunc") &&
	      strcmp(jstr("Data") + strlen("kfunc="), jstr("EventData.Kfunc")) == 0);
	CHECK_STR(jstr("ExecEvent.ExecutableName"), "\x1b[2Jb\xc3\xbf");
	CHECK(s && !strchr(s, '\x1b'));
	free(s);
}

static void test_kubearmor_replay(void)
{
	struct dnsvis_event ev = ev_v4();
	char shape[2048], host[256];
	char *s;

	ev.proto = IPPROTO_TCP;
	s = capture(OUTPUT_KUBEARMOR, EV, &ev, NULL);
	CHECK(json_line_ok(s));
	jshape(shape, sizeof(shape));
	CHECK_STR(shape, ka_shape);
	CHECK_STR(jstr("Type"), "HostLog");
	CHECK_STR(jstr("ClusterName"), "default");
	memset(host, 0, sizeof(host));
	if (gethostname(host, sizeof(host) - 1) == 0)
		CHECK_STR(jstr("HostName"), host);
	CHECK_STR(jstr("ProcessName"), "");
	CHECK_STR(jstr("NamespaceName"), "");
	CHECK_STR(jstr("Cwd"), "");
	CHECK_STR(jnum("HostPID"), "0");
	CHECK_STR(jnum("PID"), "0");
	CHECK_STR(jnum("Timestamp"), "1765218527");
	CHECK_STR(jstr("ExecEvent.ExecID"), "");
	CHECK_STR(jstr("ExecEvent.ExecutableName"), "");
	CHECK_STR(jstr("Data"), "kfunc=TCP_SENDMSG,domain=google.com,daddr=10.43.0.10,qtype=A");
	free(s);
}

static void test_kubearmor_kfunc(void)
{
	static const struct {
		const char *source;
		int family;
		uint8_t proto;
		const char *kfunc, *resource;
	} cases[] = {
	    {"kprobe/udp_sendmsg", AF_INET, IPPROTO_UDP, "UDP_SENDMSG",
	     "sa_family=AF_INET sin_port=53"},
	    {"kprobe/udpv6_sendmsg", AF_INET6, IPPROTO_UDP, "UDPV6_SENDMSG",
	     "sa_family=AF_INET6 sin6_port=53"},
	    {"kprobe/tcp_sendmsg", AF_INET, IPPROTO_TCP, "TCP_SENDMSG",
	     "sa_family=AF_INET sin_port=53"},
	    {"pcap", AF_INET6, IPPROTO_TCP, "TCP_SENDMSG", "sa_family=AF_INET6 sin6_port=53"},
	    {"pcap", AF_INET6, IPPROTO_UDP, "UDP_SENDMSG", "sa_family=AF_INET6 sin6_port=53"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dnsvis_event ev = ev_v4();
		const char *daddr = cases[i].family == AF_INET6 ? "2001:db8::53" : "10.43.0.10";
		char *s;

		ev.source = cases[i].source;
		ev.family = cases[i].family;
		ev.proto = cases[i].proto;
		if (ev.family == AF_INET6)
			v6(ev.daddr, daddr);
		s = fmt_event(OUTPUT_KUBEARMOR, &ev);
		CHECK(json_line_ok(s));
		CHECK_STR(jstr("Resource"), cases[i].resource);
		CHECK_STR(jstr("EventData.Sa_family"),
			  cases[i].family == AF_INET6 ? "AF_INET6" : "AF_INET");
		CHECK_STR(jstr("EventData.Sin_port"), "53");
		CHECK(jstr("Data") && data_pairs_ok(jstr("Data"), cases[i].kfunc, daddr, "A"));
		free(s);
	}
}

static void test_text_exact(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char *s, *h;

	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK_STR(s, "18:28:47.125539  udp    10.0.0.2:41234        -> 10.43.0.10:53          "
		     " 4660  A         google.com\n");
	h = capture(OUTPUT_TEXT, HDR_NOPROC, NULL, NULL);
	CHECK_STR(h, "TIME(UTC)        PROTO  SOURCE                   DESTINATION            "
		     " TXID  QTYPE     DOMAIN\n");
	/* the columns line up */
	CHECK(s && h && strstr(h, "DOMAIN") - h == strstr(s, "google") - s);
	CHECK(s && h && strstr(h, "DESTINATION") - h == strstr(s, "10.43") - s);
	free(s);
	free(h);

	ev.family = AF_INET6;
	v6(ev.saddr, "2001:db8::2");
	v6(ev.daddr, "2001:db8::53");
	ev.proto = IPPROTO_TCP;
	ev.qtype = 16;
	ev.qclass = 3;
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK_STR(s, "18:28:47.125539  tcp    [2001:db8::2]:41234   -> [2001:db8::53]:53      "
		     " 4660  TXT/CH    google.com\n");
	free(s);

	ev = ev_v4();
	ev.proc = &p;
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK_STR(s, "18:28:47.125539  251151   curl              A         google.com        "
		     "               -> 10.43.0.10:53          nginx\n");
	h = capture(OUTPUT_TEXT, HDR_PROC, NULL, NULL);
	CHECK_STR(h, "TIME(UTC)        PID      COMM              QTYPE     DOMAIN            "
		     "                  SERVER                 CONTAINER\n");
	CHECK(s && h && strstr(h, "SERVER") - h == strstr(s, "10.43") - s);
	CHECK(s && h && strstr(h, "CONTAINER") - h == strstr(s, "nginx") - s);
	free(s);
	free(h);

	/* host process: no trailing blanks; unnamed container: short id */
	p.container_name = "";
	p.container_id = "";
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(s && strstr(s, "-> 10.43.0.10:53\n"));
	free(s);
	p.container_id = "c830ee7121da37bde4021a90d51728d0";
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(s && strstr(s, "-> 10.43.0.10:53          c830ee7121da\n"));
	free(s);
	h = capture(OUTPUT_JSON, HDR_PROC, NULL, NULL);
	CHECK_STR(h, "");
	free(h);
	h = capture(OUTPUT_KUBEARMOR, HDR_NOPROC, NULL, NULL);
	CHECK_STR(h, "");
	free(h);
}

static void test_text_hostile(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	char *s;

	ev.domain = "a\\.b\x1b[2J\x01\x7f\xff \xc3\xa9.";
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(one_line(s) && terminal_safe(s));
	CHECK(s && strstr(s, "a\\.b\\027[2J\\001\\127\\255\\032\\195\\169.\n"));
	free(s);

	strcpy(p.comm, "\x1b[2J\n\\\x9b"
		       "1A");
	p.container_name = hostile;
	ev.proc = &p;
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(one_line(s) && terminal_safe(s));
	CHECK(s && strstr(s, "  \\x1b[2J\\x0a\\\\\\x9b1A  "));
	CHECK(s && strstr(s, "a\"b\\\\c,d=e\\x0a\\x09\\x1b[2J\\x1b]0;x\\x07\\x01\\x7f\\xff"));
	free(s);
}

static void test_unknown_type_class(void)
{
	struct dnsvis_event ev = ev_v4();
	char *s;

	ev.qtype = 65280;
	ev.qclass = 254;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("qtype"), "TYPE65280");
	CHECK_STR(jstr("qclass"), "NONE");
	free(s);
	ev.qclass = 1234;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("qclass"), "CLASS1234");
	free(s);
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(s && strstr(s, "  TYPE65280/CLASS1234  google.com\n"));
	free(s);
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(json_line_ok(s));
	CHECK(jstr("Data") &&
	      data_pairs_ok(jstr("Data"), "UDP_SENDMSG", "10.43.0.10", "TYPE65280"));
	free(s);
}

static void test_lost(void)
{
	char *s = capture(OUTPUT_JSON, LOST, NULL, NULL);

	CHECK_STR(s, "{\"type\":\"lost\",\"count\":12345,\"cpu\":3}\n");
	CHECK(json_line_ok(s));
	free(s);
	s = capture(OUTPUT_KUBEARMOR, LOST, NULL, NULL);
	CHECK_STR(s, "{\"type\":\"lost\",\"count\":12345,\"cpu\":3}\n");
	free(s);
	s = capture(OUTPUT_TEXT, LOST, NULL, NULL);
	CHECK_STR(s, "# lost 12345 events on CPU 3\n");
	free(s);
}

static void test_long_cmdline(void)
{
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	size_t n = 100000, i;
	char *big = malloc(n + 1), *s;

	if (!big)
		return;
	/* "é" repeated, starting at an odd offset so the cap falls inside one */
	big[0] = 'x';
	for (i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[i] = '\0';
	p.cmdline = big;
	ev.proc = &p;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK(jstr("cmdline") && strlen(jstr("cmdline")) <= 4096 + 3);
	CHECK(jstr("cmdline") && strlen(jstr("cmdline")) >= 4096 - 3);
	CHECK(s && strstr(s, "\xc3\xa9...\",\"cgroup_id\""));
	free(s);
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(json_line_ok(s));
	CHECK(jstr("Source") && strstr(jstr("Source"), "\xc3\xa9..."));
	free(s);
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(one_line(s) && terminal_safe(s));
	free(s);
	/* a short line after a long one is still exact */
	ev = ev_v4();
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(s && strlen(s) < 300 && json_line_ok(s));
	free(s);
	/* a long domain is not cut */
	memset(big, 'a', 5000);
	big[5000] = '\0';
	ev.domain = big;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK(jstr("domain") && strlen(jstr("domain")) == 5000);
	free(s);
	free(big);
}

static void test_time(void)
{
	struct dnsvis_event ev = ev_v4();
	char *s;

	ev.ts.tv_sec = 0;
	ev.ts.tv_nsec = 999;
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("time"), "1970-01-01T00:00:00.000000Z");
	free(s);
	ev.ts.tv_sec = 951782400; /* leap day 2000 */
	ev.ts.tv_nsec = 1000;
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("UpdatedTime"), "2000-02-29T00:00:00.000001Z");
	free(s);
	ev.ts.tv_sec = 951782401; /* the cached second moves on */
	ev.ts.tv_nsec = -5;	  /* nonsense nanoseconds read as 0 */
	s = fmt_event(OUTPUT_JSON, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("time"), "2000-02-29T00:00:01.000000Z");
	free(s);
	ev.ts.tv_sec = -1;
	ev.ts.tv_nsec = 1000000000L;
	s = fmt_event(OUTPUT_KUBEARMOR, &ev);
	CHECK(json_line_ok(s));
	CHECK_STR(jstr("UpdatedTime"), "1969-12-31T23:59:59.000000Z");
	CHECK_STR(jnum("Timestamp"), "-1");
	free(s);
	ev.ts.tv_sec = 86399;
	ev.ts.tv_nsec = 999999999;
	s = fmt_event(OUTPUT_TEXT, &ev);
	CHECK(s && strncmp(s, "23:59:59.999999  ", 17) == 0);
	free(s);
}

/* Several events into one stream: one line each, in order. */
static void test_stream(void)
{
	struct output_opts o = {
	    .format = OUTPUT_JSON, .cluster_name = "prod", .host_name = "node1"};
	struct dnsvis_event ev = ev_v4();
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, n = 0;

	if (!f)
		return;
	for (i = 0; i < 100; i++) {
		ev.txid = (uint16_t)i;
		output_event(f, &o, &ev);
		if (i == 50)
			output_lost(f, &o, 7, 0);
	}
	o.format = OUTPUT_KUBEARMOR;
	output_event(f, &o, &ev);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n++;
	CHECK_INT(n, 102);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	output_event(f, &o, &ev);
	fclose(f);
	CHECK(json_line_ok(buf));
	CHECK_STR(jstr("ClusterName"), "prod");
	CHECK_STR(jstr("HostName"), "node1");
	free(buf);
}

/* Random bytes in every string field: always one valid JSON line, and
 * text is always terminal-safe. */
static void test_random_strings(void)
{
	static char dom[300], cmd[600], exe[100];
	struct dnsvis_event ev = ev_v4();
	struct dnsvis_proc p = proc_curl();
	uint32_t seed = 12345;
	int i, bad_json = 0, bad_text = 0, bad_data = 0;

	ev.proc = &p;
	ev.domain = dom;
	p.cmdline = cmd;
	p.exe = exe;
	for (i = 0; i < 3000; i++) {
		char *bufs[] = {dom, cmd, exe, p.comm};
		size_t sizes[] = {sizeof(dom), sizeof(cmd), sizeof(exe), sizeof(p.comm)};
		size_t k, j, n;
		char *s;

		for (k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 16) % sizes[k];
			for (j = 0; j < n; j++) {
				seed = seed * 1103515245u + 12345u;
				/* bias towards the interesting bytes */
				bufs[k][j] =
				    (char)((seed >> 16) % 4 == 0
					       ? ",=%\\\"\x1b\xc3\xe2\x80"[(seed >> 20) % 9]
					       : (int)((seed >> 20) % 255 + 1));
			}
			bufs[k][n] = '\0';
		}
		ev.qtype = (uint16_t)seed;
		ev.qclass = (uint16_t)(seed >> 16);
		s = fmt_event(OUTPUT_JSON, &ev);
		bad_json += !json_line_ok(s);
		free(s);
		s = fmt_event(OUTPUT_KUBEARMOR, &ev);
		bad_json += !json_line_ok(s);
		bad_data += !(jstr("Data") &&
			      data_pairs_ok(jstr("Data"), "UDP_SENDMSG", "10.43.0.10",
					    jstr("Data") ? strrchr(jstr("Data"), '=') + 1 : ""));
		free(s);
		s = fmt_event(OUTPUT_TEXT, &ev);
		bad_text += !(one_line(s) && terminal_safe(s));
		free(s);
	}
	CHECK_INT(bad_json, 0);
	CHECK_INT(bad_data, 0);
	CHECK_INT(bad_text, 0);
}

int main(void)
{
	test_parse();
	test_json_exact_v4();
	test_json_exact_v6_proc();
	test_json_null_strings();
	test_json_hostile();
	test_kubearmor_exact();
	test_kubearmor_hostile();
	test_kubearmor_replay();
	test_kubearmor_kfunc();
	test_text_exact();
	test_text_hostile();
	test_unknown_type_class();
	test_lost();
	test_long_cmdline();
	test_time();
	test_stream();
	test_random_strings();
	return check_report("test_output");
}
