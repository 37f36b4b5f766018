/* tp_attach.c - load a BPF object, attach its first program, print
 * "attached" and hold it until SIGTERM/SIGINT.  Used by bench-live.sh. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;

	if (argc != 2) {
		fprintf(stderr, "usage: tp_attach OBJ\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj) != 0) {
		fprintf(stderr, "tp_attach: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "tp_attach: cannot attach %s\n", argv[1]);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	pause();
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
