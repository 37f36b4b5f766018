/* tp_attach.c - load a BPF object, attach each of its programs (or only
 * the ones named after it), print "attached" and hold them until
 * SIGTERM/SIGINT.  An object with a perf
 * event array named "events" has its rings read (RING_PAGES per CPU, the
 * reader woken when a quarter of a ring is full, as dnsvis asks), and
 * "samples N lost M" printed at the end.  Used by bench-live.sh (and
 * statically linked, in the VM guest of bench-vm). */
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RING_PAGES 512

static volatile sig_atomic_t stop;
static unsigned long long samples, lost;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static enum bpf_perf_event_ret on_record(void *ctx, int cpu, struct perf_event_header *e)
{
	(void)ctx;
	(void)cpu;
	if (e->type == PERF_RECORD_SAMPLE)
		samples++;
	else if (e->type == PERF_RECORD_LOST)
		lost += ((const unsigned long long *)(e + 1))[1]; /* id, then lost */
	return LIBBPF_PERF_EVENT_CONT;
}

/* Read the rings of map fd until a signal; 0, or -1 (said on stderr). */
static int read_rings(int fd)
{
	struct perf_event_attr attr;
	struct perf_buffer *pb;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = RING_PAGES * (unsigned)getpagesize() / 4;
	pb = perf_buffer__new_raw(fd, RING_PAGES, &attr, on_record, NULL, NULL);
	if (!pb) {
		fprintf(stderr, "tp_attach: cannot open the perf rings: %s\n", strerror(errno));
		return -1;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop) {
		int rc = perf_buffer__poll(pb, 100);

		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "tp_attach: perf_buffer__poll: %s\n", strerror(-rc));
			break;
		}
	}
	perf_buffer__consume(pb);
	perf_buffer__free(pb);
	printf("samples %llu lost %llu\n", samples, lost);
	return 0;
}

/* Load only the programs of obj named in names[0..n-1]; 0, or -1 (said on
 * stderr) when a name is not a program of obj. */
static int select_programs(struct bpf_object *obj, char **names, int n)
{
	struct bpf_program *prog;
	int i;

	for (i = 0; i < n; i++) {
		if (!bpf_object__find_program_by_name(obj, names[i])) {
			fprintf(stderr, "tp_attach: no program %s\n", names[i]);
			return -1;
		}
	}
	bpf_object__for_each_program(prog, obj)
	{
		int wanted = 0;

		for (i = 0; i < n && !wanted; i++)
			wanted = !strcmp(bpf_program__name(prog), names[i]);
		bpf_program__set_autoload(prog, wanted);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *links[16];
	struct bpf_map *events;
	int n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: tp_attach OBJ [PROG...]\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "tp_attach: cannot open %s\n", argv[1]);
		return 1;
	}
	if (argc > 2 && select_programs(obj, argv + 2, argc - 2) != 0)
		return 1;
	if (bpf_object__load(obj) != 0) {
		fprintf(stderr, "tp_attach: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		if (n == 16 || !(links[n] = bpf_program__attach(prog))) {
			fprintf(stderr, "tp_attach: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		n++;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	events = bpf_object__find_map_by_name(obj, "events");
	if (events && read_rings(bpf_map__fd(events)) != 0)
		return 1;
	if (!events) {
		printf("attached\n");
		fflush(stdout);
		while (!stop)
			pause();
	}
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return 0;
}
