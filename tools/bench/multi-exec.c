/* A pipelining client for MULTI/EXEC throughput, which redis-benchmark cannot send.
 *
 *   multi-exec PORT CONNECTIONS PIPELINE SECONDS COMMANDS
 *
 * Each connection (one thread each) sends PIPELINE transactions at a time, each
 * MULTI, COMMANDS x "SET key:<n> value", EXEC, and reads their replies before the next
 * batch; every reply is a fixed string (+OK, +QUEUED, *COMMANDS of +OK), so a batch is
 * complete when its exact byte count has arrived, and any other byte is an error.
 * Prints transactions per second. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, pipeline_depth, commands;
static double seconds;
static volatile long long total;
static volatile int failed;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *client(void *arg) {
    long id = (long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); failed = 1; return NULL; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* One batch of requests, and the replies it must produce. */
    size_t cap = (size_t)pipeline_depth * (commands + 2) * 96;
    char *req = malloc(cap), *expected = malloc(cap), *got = malloc(cap);
    size_t rl = 0, el = 0;
    for (int t = 0; t < pipeline_depth; t++) {
        rl += sprintf(req + rl, "*1\r\n$5\r\nMULTI\r\n");
        el += sprintf(expected + el, "+OK\r\n");
        for (int c = 0; c < commands; c++) {
            char key[32];
            int kl = sprintf(key, "key:%06ld", (id * 7919 + t * 131 + c) % 100000);
            rl += sprintf(req + rl, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n", kl, key);
            el += sprintf(expected + el, "+QUEUED\r\n");
        }
        rl += sprintf(req + rl, "*1\r\n$4\r\nEXEC\r\n");
        el += sprintf(expected + el, "*%d\r\n", commands);
        for (int c = 0; c < commands; c++) el += sprintf(expected + el, "+OK\r\n");
    }
    double end = now() + seconds;
    long long done = 0;
    while (now() < end && !failed) {
        for (size_t off = 0; off < rl;) {
            ssize_t n = write(fd, req + off, rl - off);
            if (n <= 0) { perror("write"); failed = 1; return NULL; }
            off += (size_t)n;
        }
        for (size_t off = 0; off < el;) {
            ssize_t n = read(fd, got + off, el - off);
            if (n <= 0) { perror("read"); failed = 1; return NULL; }
            off += (size_t)n;
        }
        if (memcmp(got, expected, el) != 0) {
            fprintf(stderr, "unexpected reply: %.200s\n", got);
            failed = 1;
            return NULL;
        }
        done += pipeline_depth;
    }
    __sync_fetch_and_add(&total, done);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s PORT CONNECTIONS PIPELINE SECONDS COMMANDS\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    int connections = atoi(argv[2]);
    pipeline_depth = atoi(argv[3]);
    seconds = atof(argv[4]);
    commands = atoi(argv[5]);
    pthread_t threads[connections];
    double start = now();
    for (long i = 0; i < connections; i++) pthread_create(&threads[i], NULL, client, (void *)i);
    for (int i = 0; i < connections; i++) pthread_join(threads[i], NULL);
    if (failed) return 1;
    printf("%.0f\n", total / (now() - start));
    return 0;
}
