/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore protocol between dom0 and the guest module xenp2m_guest.ko:
 * key names and limits, nothing else (doc/guest-module.md says what every
 * value means and which bounds dom0 applies).  The one header that the
 * module, the simulator's guest model and dom0's tools share: plain macros,
 * no includes, no types, so that kernel and user space can both use it.
 *
 * Every key is relative to the guest's home XP_KEY_HOME, itself relative to
 * /local/domain/<domid>/ (the toolstack lets a guest write its data/).
 */
#ifndef XENP2M_KEYS_H
#define XENP2M_KEYS_H

#define XP_KEY_HOME "data/xenp2m"
#define XP_PROTOCOL_VERSION 1

/* Written by the module when it loads; removed when it unloads. */
#define XP_KEY_PROTOCOL "protocol" /* XP_PROTOCOL_VERSION, decimal */
#define XP_KEY_MODULE "module"	   /* "xenp2m_guest <version>" */
#define XP_KEY_VARIANT "variant"   /* XP_VARIANT_FIXED or XP_VARIANT_PRE_FIX */
#define XP_KEY_STATE "state"	   /* one of the XP_STATE_* words */

#define XP_VARIANT_FIXED "fixed"
#define XP_VARIANT_PRE_FIX "pre-fix"

#define XP_STATE_STARTING "starting" /* loaded, first self-check running */
#define XP_STATE_READY "ready"	     /* waiting for a request */
#define XP_STATE_BUSY "busy"	     /* handling a request */
#define XP_STATE_STOPPING "stopping" /* unloading: the keys go next */

/*
 * Requests: dom0 writes XP_KEY_REQUEST = "<seq> <verb> [<name>=<value>...]"
 * with seq one above the seq in XP_KEY_DONE (or 1 when there is none).  The
 * module handles one request at a time, writes the verb's results, then
 * XP_KEY_MESSAGE, then XP_KEY_DONE = "<seq> <errno>" (0 = success, else a
 * positive Linux errno): dom0 waits for its own seq in XP_KEY_DONE.
 */
#define XP_KEY_REQUEST "request"
#define XP_KEY_DONE "done"
#define XP_KEY_MESSAGE "message"

#define XP_VERB_SELF_CHECK "self-check" /* no arguments */
#define XP_VERB_GRANT "grant"		/* domid= pages= [mode=ro|rw] [seed=] */
#define XP_VERB_RELEASE "release"	/* no arguments */
#define XP_VERB_GROW "grow"		/* [frames=] */
#define XP_VERB_KMAP \
	"kmap" /* domid= refs=r,r,... [mode=] [seed=] [cycles=] [readers=] [seconds=] */
#define XP_VERB_STOP "stop" /* ends a kmap run early; no arguments */

#define XP_MODE_RO "ro"
#define XP_MODE_RW "rw"

/* Self-check of the guest's p2m (seed 003, from inside). */
#define XP_KEY_SELF_STATUS "self/status"   /* clean, mismatch, unstable, error */
#define XP_KEY_SELF_TRIGGER "self/trigger" /* load, resume, request */
#define XP_KEY_SELF_RUN "self/run"	   /* self-checks since load */
#define XP_KEY_SELF_RESUMES "self/resumes" /* resumes seen since load */
#define XP_KEY_SELF_TIME "self/time"	   /* UNIX seconds of the check */
#define XP_KEY_SELF_GENERATION "self/generation"
#define XP_KEY_SELF_SHARED_INFO "self/shared_info" /* its MFN, 0x hex */
#define XP_KEY_SELF_MAX_PFN "self/max_pfn"	   /* shared_info's, 0x hex */
#define XP_KEY_SELF_P2M_SIZE "self/p2m_size"	   /* entries of the list, 0x hex */
#define XP_KEY_SELF_FLL "self/frame_list_list"	   /* 0x hex */
#define XP_KEY_SELF_PFNS "self/pfns"		   /* entries checked */
#define XP_KEY_SELF_VALID "self/valid"
#define XP_KEY_SELF_MISSING "self/missing"
#define XP_KEY_SELF_IDENTITY "self/identity"
#define XP_KEY_SELF_FOREIGN "self/foreign"
#define XP_KEY_SELF_LEAVES "self/leaves" /* leaf MFNs of the tree compared */
#define XP_KEY_SELF_MISMATCHES "self/mismatches"
#define XP_KEY_SELF_RECORD "self/mismatch" /* self/mismatch/<n>, n < max */
#define XP_KEY_SELF_DURATION "self/duration_ms"
#define XP_SELF_RECORDS_MAX 8

/* The grant service. */
#define XP_KEY_GRANT_STATE "grant/state" /* none, granted, releasing, released, lost-on-resume */
#define XP_KEY_GRANT_DOMID "grant/domid"
#define XP_KEY_GRANT_PAGES "grant/pages"
#define XP_KEY_GRANT_MODE "grant/mode"
#define XP_KEY_GRANT_SEED "grant/seed" /* 0x hex */
#define XP_KEY_GRANT_REFS "grant/refs" /* decimal refs, space separated */
#define XP_KEY_GRANT_STILL_MAPPED "grant/still_mapped"
#define XP_KEY_GRANT_STILL_MAPPED_REFS "grant/still_mapped_refs"
#define XP_KEY_GRANT_RETRIES "grant/retries"
#define XP_GRANT_PAGES_MAX 256
#define XP_GRANT_RETRY_MS 500

/* Seed 002's path: grant references allocated in atomic context. */
#define XP_KEY_GROW_STATUS "grow/status" /* grown, already, failed */
#define XP_KEY_GROW_TARGET "grow/target"
#define XP_KEY_GROW_FRAMES_BEFORE "grow/frames_before"
#define XP_KEY_GROW_FRAMES_AFTER "grow/frames_after"
#define XP_KEY_GROW_MAX_FRAMES "grow/max_frames"
#define XP_KEY_GROW_REFS "grow/refs"		     /* references allocated, all freed again */
#define XP_KEY_GROW_CONTEXT "grow/context"	     /* "timer irqs-off" */
#define XP_KEY_GROW_TAINT_BEFORE "grow/taint_before" /* D, W, B letters or "-" */
#define XP_KEY_GROW_TAINT_AFTER "grow/taint_after"
#define XP_GROW_FRAMES_DEFAULT 3
#define XP_GROW_FRAMES_MAX 16

/* Seed 000's path: map dom0's grants over module pages, unmap and replace. */
#define XP_KEY_KMAP_STATUS "kmap/status" /* clean, anomalies, failed */
#define XP_KEY_KMAP_VARIANT "kmap/variant"
#define XP_KEY_KMAP_PAGES "kmap/pages"
#define XP_KEY_KMAP_CYCLES "kmap/cycles"
#define XP_KEY_KMAP_PROGRESS "kmap/progress" /* cycles done so far, while it runs */
#define XP_KEY_KMAP_ENDED "kmap/ended"	     /* cycles, seconds, stop, unload, error */
#define XP_KEY_KMAP_READERS "kmap/readers"
#define XP_KEY_KMAP_CPUS "kmap/cpus" /* "<cycler cpu> <reader cpus...>" */
#define XP_KEY_KMAP_READS "kmap/reads"
#define XP_KEY_KMAP_READS_ORIGINAL "kmap/reads_original"
#define XP_KEY_KMAP_READS_GRANTED "kmap/reads_granted"
#define XP_KEY_KMAP_FAULTS "kmap/faults"
#define XP_KEY_KMAP_ZERO "kmap/zero"
#define XP_KEY_KMAP_UNEXPECTED "kmap/unexpected"
#define XP_KEY_KMAP_RECORD "kmap/anomaly" /* kmap/anomaly/<n>, n < max */
#define XP_KEY_KMAP_DURATION "kmap/duration_ms"
#define XP_KMAP_PAGES_MAX 64
#define XP_KMAP_READERS_MAX 8
#define XP_KMAP_CYCLES_MAX 1000000
#define XP_KMAP_CYCLES_DEFAULT 1000
#define XP_KMAP_READERS_DEFAULT 2
#define XP_KMAP_SECONDS_MAX 3600
#define XP_KMAP_RECORDS_MAX 8

/* Sizes: dom0 refuses anything longer (the module never writes more). */
#define XP_REQUEST_MAX 2048 /* bytes of a request */
#define XP_VALUE_MAX 2048   /* bytes of any value the module writes */
#define XP_MESSAGE_MAX 256  /* bytes of XP_KEY_MESSAGE */
#define XP_SEQ_MAX 2147483647

#endif
