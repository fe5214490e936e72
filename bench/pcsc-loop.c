/*
 * The benchmark's baseline: the shortest path from a C program to a card through libpcsclite.
 * Usage: pcsc-loop READER COUNT SETUP_APDU_HEX LOOP_APDU_HEX
 * Connects exclusively, sends SETUP once, then LOOP COUNT times, printing each round trip in
 * nanoseconds (one per line) for the caller to summarise. Exit status 0 on success.
 * Built by bench/pcsc-transmit.ts: cc -O2 -o pcsc-loop pcsc-loop.c -I/usr/include/PCSC -lpcsclite
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

static size_t from_hex(const char *text, BYTE *out, size_t max) {
  size_t n = 0;
  while (text[0] && text[1] && n < max) {
    unsigned int byte;
    if (sscanf(text, "%2x", &byte) != 1) break;
    out[n++] = (BYTE)byte;
    text += 2;
  }
  return n;
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s READER COUNT SETUP_APDU_HEX LOOP_APDU_HEX\n", argv[0]);
    return 2;
  }
  SCARDCONTEXT context;
  SCARDHANDLE card;
  DWORD protocol;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &context);
  if (rv != SCARD_S_SUCCESS) {
    fprintf(stderr, "SCardEstablishContext: %s\n", pcsc_stringify_error(rv));
    return 1;
  }
  rv = SCardConnect(context, argv[1], SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rv != SCARD_S_SUCCESS) {
    fprintf(stderr, "SCardConnect: %s\n", pcsc_stringify_error(rv));
    return 1;
  }
  const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  BYTE setup[261], command[261], response[258];
  DWORD setup_length = from_hex(argv[3], setup, sizeof setup);
  DWORD command_length = from_hex(argv[4], command, sizeof command);
  DWORD response_length = sizeof response;
  rv = SCardTransmit(card, pci, setup, setup_length, NULL, response, &response_length);
  if (rv != SCARD_S_SUCCESS || response_length < 2) {
    fprintf(stderr, "setup: %s\n", pcsc_stringify_error(rv));
    return 1;
  }
  long count = atol(argv[2]);
  for (long i = 0; i < count; i++) {
    response_length = sizeof response;
    long long start = now_ns();
    rv = SCardTransmit(card, pci, command, command_length, NULL, response, &response_length);
    long long elapsed = now_ns() - start;
    if (rv != SCARD_S_SUCCESS || response_length < 2) {
      fprintf(stderr, "SCardTransmit: %s (%lu bytes)\n", pcsc_stringify_error(rv), (unsigned long)response_length);
      return 1;
    }
    printf("%lld\n", elapsed);
  }
  SCardDisconnect(card, SCARD_LEAVE_CARD);
  SCardReleaseContext(context);
  return 0;
}
