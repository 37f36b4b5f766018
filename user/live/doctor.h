/* doctor.h - `dnsvis doctor`: what this kernel and these privileges allow. */
#ifndef DNSVIS_DOCTOR_H
#define DNSVIS_DOCTOR_H

/* Exit status: 0 tracing can work, 1 it cannot, 2 usage. */
int doctor_main(int argc, char **argv);

#endif
