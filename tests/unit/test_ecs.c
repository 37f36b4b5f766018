/* test_ecs.c - the Public Suffix List (output/psl.h) and the `ecs` format.
 *
 * PSL: the list's own rules (plain, wildcard, exception, the default "*")
 * over a small list written here, and the real list of Debian's
 * publicsuffix package.  ECS: a query of a pod's process and its answer,
 * timeout and unsolicited documents carry the fields the issue lists; with
 * ECS_DOCS_OUT set, every document is also written there, so that
 * tests/responses can check each field name against ECS's reference. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "dns_build.h"
#include "match/feed.h"
#include "output/output.h"
#include "output/psl.h"

static const char small_list[] = "// comment\n"
				 "com\n"
				 "uk\n"
				 "co.uk\n"
				 "*.ck\n"
				 "!www.ck\n"
				 "  \n"
				 "github.io  trailing words are ignored\r\n";

static void check_split(const struct psl *p, const char *name, const char *tld, const char *reg,
			const char *sub)
{
	struct psl_split s;

	CHECK_INT(psl_split_name(p, name, &s), 0);
	CHECK_STR(s.top_level_domain, tld);
	if (reg)
		CHECK_STR(s.registered_domain, reg);
	else
		CHECK(s.registered_domain == NULL);
	if (sub)
		CHECK_STR(s.subdomain, sub);
	else
		CHECK(s.subdomain == NULL);
}

static void test_psl_rules(void)
{
	struct psl *p = psl_parse(small_list, sizeof(small_list) - 1);
	struct psl_split s;

	CHECK_INT(psl_rules(p), 6);
	check_split(p, "www.Example.COM", "com", "example.com", "www");
	check_split(p, "example.com", "com", "example.com", NULL);
	check_split(p, "com", "com", NULL, NULL);
	check_split(p, "a.b.example.co.uk", "co.uk", "example.co.uk", "a.b");
	check_split(p, "foo.bar.ck", "bar.ck", "foo.bar.ck", NULL); /* wildcard */
	check_split(p, "www.ck", "ck", "www.ck", NULL);		    /* exception */
	check_split(p, "a.www.ck", "ck", "www.ck", "a");
	check_split(p, "x.example.test", "test", "example.test", "x"); /* default rule */
	check_split(p, "me.github.io", "github.io", "me.github.io", NULL);
	CHECK_INT(psl_split_name(p, ".", &s), -1);
	CHECK_INT(psl_split_name(p, "a..com", &s), -1);
	CHECK_INT(psl_split_name(p, "a\\.b.com", &s), -1);
	psl_free(p);
}

static void test_psl_debian(void)
{
	char err[256];
	struct psl *p = psl_load(PSL_DEFAULT_PATH, err, sizeof(err));

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(psl_rules(p) > 5000);
	check_split(p, "www.bbc.co.uk", "co.uk", "bbc.co.uk", "www");
	check_split(p, "google.com.default.svc.cluster.local", "local", "cluster.local",
		    "google.com.default.svc");
	check_split(p, "a.b.city.kawasaki.jp", "kawasaki.jp", "city.kawasaki.jp", "a.b");
	psl_free(p);
	CHECK(psl_load("/nonexistent/psl.dat", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/psl.dat: ") == err);
}

static FILE *docs;

static char *doc_of(const struct dnsvis_event *ev, const struct dnsvis_outcome *oc)
{
	static char buf[8192];
	struct output_opts o = {.format = OUTPUT_ECS, .cluster_name = "prod"};
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	memset(buf, 0, sizeof(buf));
	if (oc)
		output_outcome(f, &o, oc);
	else
		output_event(f, &o, ev);
	fclose(f);
	if (docs)
		fputs(buf, docs);
	return buf;
}

static void test_ecs_docs(void)
{
	struct dnsvis_proc p = {.pid = 4242,
				.tid = 4243,
				.ppid = 1,
				.uid = 1000,
				.gid = 1000,
				.comm = "curl",
				.exe = "/usr/bin/curl",
				.cmdline = "curl https://www.example.co.uk/",
				.cwd = "/app",
				.container_id = "0123456789abcdef",
				.container_name = "web",
				.container_image = "nginx:1.25",
				.runtime = "containerd",
				.pod = "web-7d4b9",
				.pod_uid = "5f3c-uid",
				.k8s_namespace = "shop"};
	struct dnsvis_event ev = {.source = "kprobe/udp_sendmsg",
				  .family = AF_INET,
				  .proto = IPPROTO_UDP,
				  .sport = 40000,
				  .dport = 53,
				  .txid = 7,
				  .domain = "www.example.co.uk",
				  .qtype = 1,
				  .qclass = 1,
				  .proc = &p};
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dnsvis_outcome oc = {
	    .kind = OUTCOME_RESPONSE, .query = &ev, .resp = r, .latency_us = 1500};
	struct msgbuf m = {.n = 0};
	char *d;

	memcpy(ev.saddr, "\x0a\x00\x00\x02", 4);
	memcpy(ev.daddr, "\x0a\x00\x00\x35", 4);
	d = doc_of(&ev, NULL);
	CHECK(strstr(d,
		     "\"dns\":{\"type\":\"query\",\"id\":\"7\",\"op_code\":\"QUERY\",\"question\":"
		     "{\"name\":\"www.example.co.uk\",\"type\":\"A\",\"class\":\"IN\","
		     "\"registered_domain\":\"example.co.uk\",\"subdomain\":\"www\","
		     "\"top_level_domain\":\"co.uk\"}}") != NULL);
	CHECK(strstr(d,
		     "\"process\":{\"pid\":4242,\"name\":\"curl\",\"executable\":\"/usr/bin/curl\","
		     "\"command_line\":\"curl https://www.example.co.uk/\",\"working_directory\":"
		     "\"/app\",\"thread\":{\"id\":4243},\"parent\":{\"pid\":1}}") != NULL);
	CHECK(strstr(d, "\"container\":{\"id\":\"0123456789abcdef\",\"name\":\"web\",\"runtime\":"
			"\"containerd\",\"image\":{\"name\":\"nginx:1.25\"}}") != NULL);
	CHECK(strstr(d,
		     "\"orchestrator\":{\"type\":\"kubernetes\",\"namespace\":\"shop\","
		     "\"resource\":{\"type\":\"pod\",\"name\":\"web-7d4b9\",\"id\":\"5f3c-uid\"},"
		     "\"cluster\":{\"name\":\"prod\"}}") != NULL);
	CHECK(strstr(d, "\"user\":{\"id\":\"1000\"}") != NULL);
	header(&m, 7, 0x8580, 1, 1, 0, 0); /* QR AA RD RA */
	putname(&m, "www.example.co.uk");
	put16(&m, 1), put16(&m, 1);
	putptr(&m, 12), put16(&m, 1), put16(&m, 1), put32(&m, 30), put16(&m, 4);
	putraw(&m, "\xc0\x00\x02\x63", 4);
	CHECK_INT(dns_response_decode(m.b, m.n, m.n, r), DNS_OK);
	d = doc_of(&ev, &oc);
	CHECK(
	    strstr(d, "\"action\":\"dns-answer\",\"outcome\":\"success\",\"duration\":1500000}") !=
	    NULL);
	CHECK(strstr(d, "\"header_flags\":[\"AA\",\"RD\",\"RA\"],\"response_code\":\"NOERROR\"") !=
	      NULL);
	CHECK(strstr(
		  d,
		  "\"answers\":[{\"name\":\"www.example.co.uk\",\"type\":\"A\",\"class\":"
		  "\"IN\",\"ttl\":30,\"data\":\"192.0.2.99\"}],\"resolved_ip\":[\"192.0.2.99\"]") !=
	      NULL);
	oc.kind = OUTCOME_TIMEOUT, oc.resp = NULL, oc.waited_ms = 5000;
	d = doc_of(&ev, &oc);
	CHECK(strstr(d, "\"action\":\"dns-timeout\",\"outcome\":\"failure\",\"duration\":"
			"5000000000}") != NULL);
	CHECK(strstr(d, "\"dns\":{\"type\":\"query\"") != NULL);
	oc.kind = OUTCOME_UNSOLICITED, oc.resp = r, ev.proc = NULL;
	d = doc_of(&ev, &oc);
	CHECK(strstr(d, "\"action\":\"dns-unsolicited\"") != NULL && !strstr(d, "\"process\""));
	free(r);
}

int main(void)
{
	const char *out = getenv("ECS_DOCS_OUT");

	docs = out ? fopen(out, "w") : NULL;
	test_psl_rules();
	test_psl_debian();
	test_ecs_docs();
	if (docs)
		fclose(docs);
	printf("test_ecs: %d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}
