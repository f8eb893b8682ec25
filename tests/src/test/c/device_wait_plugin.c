/*
 * A QEMU TCG plugin for DesktopSessionDifferentialTest's lockstep (QemuLockstep). Before the vCPU
 * executes the instruction at wait= (rost's device wait, the first CNTVCT_EL0 read after a
 * virtio doorbell) it writes 'W' to the Unix socket at socket= and blocks until the test answers
 * one byte, which it does once QEMU's GPU and disk have answered every request: rost's first
 * poll then finds the answer, as on Vitrine, whose devices answer at the doorbell. Before the
 * vCPU executes the instruction at idle= (the idle context's WFI) it writes 'E' and blocks the
 * same way: the test counts idle entries and, at the one it wants, stops QEMU there.
 *
 * Why a plugin and not gdbstub breakpoints: a breakpoint stop marks the vCPU stopped while the
 * VM still counts as running until the main loop handles the stop, and the main loop first
 * starts icount's warp: it sees every vCPU idle and, with sleep=off, moves the virtual clock to
 * the next timer deadline. The guest's tick then fires early; and when the virtual timer had
 * fired (QEMU parks it at INT64_MAX until the guest re-arms it), the clock goes to INT64_MAX and
 * QEMU spins in its timer loop for ever, holding the big lock (QEMU 7.2 and 10 alike). A plugin
 * callback blocks the vCPU thread inside the running VM (TCG runs without the big lock), so the
 * main loop answers the test and runs the devices, and no vCPU is idle: no warp.
 *
 * Built by the test with gcc; the few plugin API declarations it needs are here (QEMU ships no
 * header in Debian's packages). API version 1: Debian 12's QEMU 7.2 loads versions up to 1 (QEMU 10
 * wants 2 or more; the calls used here are the same in both).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t wait_pc, idle_pc;
static int test_socket = -1;

/* Says where the vCPU is ('W' or 'E', the userdata) and blocks until the test answers; a closed socket (the test is gone) lets the guest go on. */
static void hold(unsigned int vcpu_index, void *userdata) {
    (void) vcpu_index;
    char c = (char) (uintptr_t) userdata;
    if (test_socket < 0 || write(test_socket, &c, 1) != 1 || read(test_socket, &c, 1) != 1) {
        if (test_socket >= 0) close(test_socket);
        test_socket = -1;
    }
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void) id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (pc == wait_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, hold, QEMU_PLUGIN_CB_NO_REGS, (void *) (uintptr_t) 'W');
        if (pc == idle_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, hold, QEMU_PLUGIN_CB_NO_REGS, (void *) (uintptr_t) 'E');
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void) info;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "wait=", 5) == 0) wait_pc = strtoull(argv[i] + 5, NULL, 0);
        else if (strncmp(argv[i], "idle=", 5) == 0) idle_pc = strtoull(argv[i] + 5, NULL, 0);
        else if (strncmp(argv[i], "socket=", 7) == 0) path = argv[i] + 7;
    }
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (wait_pc == 0 || idle_pc == 0 || path == NULL || strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "device_wait_plugin: needs wait=ADDRESS,idle=ADDRESS,socket=PATH\n");
        return -1;
    }
    strcpy(a.sun_path, path);
    test_socket = socket(AF_UNIX, SOCK_STREAM, 0);
    if (test_socket < 0 || connect(test_socket, (struct sockaddr *) &a, sizeof a) != 0) {
        perror("device_wait_plugin: connect");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    return 0;
}
