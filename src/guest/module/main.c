// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m_guest: the guest side of xenp2m, for Xen PV guests.
 *
 * It checks the guest's own p2m after load and after every resume (the
 * invariants of "xen: correctly rebuild mfn list list after migration"),
 * offers grants to dom0, and drives the grant paths the other two seeds are
 * about inside the real kernel, on request.  Everything goes through the
 * guest's xenstore home data/xenp2m (xenp2m-keys.h, doc/guest-module.md).
 *
 * Requests run one at a time on an ordered, freezable workqueue: nothing of
 * ours runs while the kernel suspends for a save or a migration.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/atomic.h>
#include <linux/string.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/xen-ops.h>

#include "module.h"

static char *variant = XP_VARIANT_FIXED;
module_param(variant, charp, 0444);
MODULE_PARM_DESC(variant, "fixed: kmap unmaps with GNTTABOP_unmap_and_replace (seed 000); "
			  "pre-fix: unmap, then set the PTE again (the window the seed closed)");

bool xp_pre_fix;
bool xp_stopping;
bool xp_stop_asked;
bool xp_stop_served;
struct workqueue_struct *xp_wq;

static atomic_t xp_resumes = ATOMIC_INIT(0);
static u32 xp_last_seq;

static int xp_selfcheck_request(struct xp_request *r)
{
	return xp_selfcheck_run("request", atomic_read(&xp_resumes), r->msg, sizeof(r->msg));
}

/* "stop": the run it was meant for has ended by the time it is served */
static int xp_stop_request(struct xp_request *r)
{
	xp_request_say(r, "%s", xp_stop_served ? "stopped" : "nothing to stop");
	WRITE_ONCE(xp_stop_asked, false);
	xp_stop_served = false;
	return 0;
}

static const char *const xp_no_args[] = {NULL};
static const char *const xp_grant_args[] = {"domid", "pages", "mode", "seed", NULL};
static const char *const xp_grow_args[] = {"frames", NULL};
static const char *const xp_kmap_args[] = {
	"domid", "refs", "mode", "seed", "cycles", "readers", "seconds", NULL,
};

static const struct xp_verb {
	const char *name;
	const char *const *args; /* the argument names it takes */
	int (*run)(struct xp_request *r);
} xp_verbs[] = {
	{XP_VERB_SELF_CHECK, xp_no_args, xp_selfcheck_request},
	{XP_VERB_GRANT, xp_grant_args, xp_grant_request},
	{XP_VERB_RELEASE, xp_no_args, xp_grant_release_request},
	{XP_VERB_GROW, xp_grow_args, xp_grow_request},
	{XP_VERB_KMAP, xp_kmap_args, xp_kmap_request},
	{XP_VERB_STOP, xp_no_args, xp_stop_request},
};

static bool xp_verb_takes(const struct xp_verb *v, const char *name)
{
	const char *const *a;

	for (a = v->args; *a; a++)
		if (!strcmp(*a, name))
			return true;
	return false;
}

static int xp_dispatch(struct xp_request *r)
{
	const struct xp_verb *v = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xp_verbs); i++)
		if (!strcmp(xp_verbs[i].name, r->verb))
			v = &xp_verbs[i];
	if (!v) {
		xp_request_say(r, "unknown verb '%.32s'", r->verb);
		return -EOPNOTSUPP;
	}
	for (i = 0; i < r->nr_args; i++)
		if (!xp_verb_takes(v, r->args[i].name))
			return xp_request_fail(r, "%s takes no argument '%.32s'", v->name,
					       r->args[i].name);
	xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_BUSY);
	return v->run(r);
}

static void xp_request_work_fn(struct work_struct *work)
{
	struct xp_request *r;
	unsigned int len;
	char *text;
	int err;

	text = xenbus_read(XBT_NIL, XP_KEY_HOME, XP_KEY_REQUEST, &len);
	if (IS_ERR(text))
		return; /* no request yet (the watch fires once when set) */
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		goto out;
	if (len > XP_REQUEST_MAX)
		text[XP_REQUEST_MAX] = '\0';
	err = xp_request_parse(text, r);
	if (!r->seq) {
		pr_warn_ratelimited(
			"ignoring a request that does not start with a sequence number\n");
		goto out;
	}
	if (r->seq <= xp_last_seq)
		goto out; /* answered already: the watch fired again */
	WRITE_ONCE(xp_last_seq, r->seq);
	if (len > XP_REQUEST_MAX) {
		xp_request_say(r, "request of %u bytes (at most %d)", len, XP_REQUEST_MAX);
		err = -E2BIG;
	} else if (!err) {
		err = xp_dispatch(r);
	}
	xp_store_printf(XP_KEY_MESSAGE, "%s", r->msg);
	xp_store_printf(XP_KEY_DONE, "%u %d", r->seq, -err);
	xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_READY);
out:
	kfree(r);
	kfree(text);
}
static DECLARE_WORK(xp_request_work, xp_request_work_fn);

/*
 * Requests queue up behind the one running; "<seq> stop" must reach a
 * running kmap at once, so the watch looks for it before queueing.
 */
static void xp_peek_stop(void)
{
	char verb[8];
	u32 seq;
	char *text = xenbus_read(XBT_NIL, XP_KEY_HOME, XP_KEY_REQUEST, NULL);

	if (IS_ERR(text))
		return;
	if (sscanf(text, "%u %7s", &seq, verb) == 2 && seq > READ_ONCE(xp_last_seq) &&
	    !strcmp(verb, XP_VERB_STOP))
		WRITE_ONCE(xp_stop_asked, true);
	kfree(text);
}

static void xp_watch_fn(struct xenbus_watch *watch, const char *path, const char *token)
{
	if (READ_ONCE(xp_stopping))
		return;
	xp_peek_stop();
	queue_work(xp_wq, &xp_request_work);
}

static struct xenbus_watch xp_watch = {
	.node = XP_KEY_HOME "/" XP_KEY_REQUEST,
	.callback = xp_watch_fn,
};

static int xp_publish_identity(void)
{
	int err;

	err = xp_store_home_rm();
	if (!err)
		err = xp_store_printf(XP_KEY_PROTOCOL, "%d", XP_PROTOCOL_VERSION);
	if (!err)
		err = xp_store_printf(XP_KEY_MODULE, "xenp2m_guest %s", XP_MODULE_VERSION);
	if (!err)
		err = xp_store_printf(XP_KEY_VARIANT, "%s", variant);
	if (!err)
		err = xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_STARTING);
	return err;
}

static void xp_load_work_fn(struct work_struct *work)
{
	char msg[XP_MESSAGE_MAX];

	xp_selfcheck_run("load", 0, msg, sizeof(msg));
	xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_READY);
}
static DECLARE_WORK(xp_load_work, xp_load_work_fn);

/*
 * After a restore the guest has a new xenstore home, empty: the module
 * starts afresh there (its keys again, sequence numbers from 1), then
 * checks the p2m the kernel rebuilt.
 */
static void xp_resume_work_fn(struct work_struct *work)
{
	char msg[XP_MESSAGE_MAX];

	WRITE_ONCE(xp_last_seq, 0);
	xp_publish_identity();
	xp_grant_resumed();
	xp_selfcheck_run("resume", atomic_read(&xp_resumes), msg, sizeof(msg));
	xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_READY);
}
static DECLARE_WORK(xp_resume_work, xp_resume_work_fn);

/*
 * Called after the kernel came back from a suspend (a restore or a
 * migration), before xenstore is reconnected and before tasks thaw: count
 * it, and leave the work to the (freezable) workqueue.
 */
static int xp_resume_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	atomic_inc(&xp_resumes);
	queue_work(xp_wq, &xp_resume_work);
	return NOTIFY_DONE;
}

static struct notifier_block xp_resume_nb = {
	.notifier_call = xp_resume_notify,
};

static int __init xp_init(void)
{
	int err;

	if (!xen_pv_domain()) {
		pr_err("not a Xen PV guest: xenp2m_guest checks a PV guest's p2m and loads "
		       "nowhere else\n");
		return -ENODEV;
	}
	if (!strcmp(variant, XP_VARIANT_PRE_FIX)) {
		xp_pre_fix = true;
	} else if (strcmp(variant, XP_VARIANT_FIXED)) {
		pr_err("variant=%s: expected %s or %s\n", variant, XP_VARIANT_FIXED,
		       XP_VARIANT_PRE_FIX);
		return -EINVAL;
	}
	err = xp_selfcheck_setup();
	if (err)
		return err;
	xp_wq = alloc_ordered_workqueue("xenp2m", WQ_FREEZABLE);
	if (!xp_wq)
		return -ENOMEM;
	err = xp_publish_identity();
	if (err) {
		pr_err("cannot write the xenstore keys under %s: error %d\n", XP_KEY_HOME, err);
		goto out_wq;
	}
	xen_resume_notifier_register(&xp_resume_nb);
	queue_work(xp_wq, &xp_load_work);
	err = register_xenbus_watch(&xp_watch);
	if (err) {
		pr_err("cannot watch %s: error %d\n", xp_watch.node, err);
		goto out_notifier;
	}
	pr_info("loaded (variant %s): self-check and requests under %s\n", variant, XP_KEY_HOME);
	return 0;

out_notifier:
	xen_resume_notifier_unregister(&xp_resume_nb);
	flush_workqueue(xp_wq);
	xp_store_home_rm();
out_wq:
	destroy_workqueue(xp_wq);
	return err;
}

static void __exit xp_exit(void)
{
	WRITE_ONCE(xp_stopping, true);
	unregister_xenbus_watch(&xp_watch);
	xen_resume_notifier_unregister(&xp_resume_nb);
	xp_store_printf(XP_KEY_STATE, "%s", XP_STATE_STOPPING);
	flush_workqueue(xp_wq); /* a running request sees xp_stopping and ends early */
	xp_grant_exit();
	destroy_workqueue(xp_wq);
	xp_store_home_rm();
	pr_info("unloaded\n");
}

module_init(xp_init);
module_exit(xp_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(XP_MODULE_VERSION);
MODULE_DESCRIPTION("xenp2m's guest side: p2m self-check, grant service and the seeds' grant "
		   "paths for Xen PV guests");
