// SPDX-License-Identifier: GPL-2.0
/*
 * Print the engine's one table of finding ids, "ID SEVERITY PART" per line,
 * in the report's order: tests/scenario/docs.sh compares it with the man
 * page's FINDINGS section.
 */
#include "config.h"

#include <stdio.h>

#include "engine/report.h"

int main(void)
{
	static const char *const parts[XP_NR_PARTS] = {
		[XP_PART_P2M] = "p2m",
		[XP_PART_GRANTS] = "grants",
	};
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_finding_desc *d = xp_finding_desc(i);

		printf("%s %s %s\n", d->name, xp_severity_name(d->severity), parts[d->part]);
	}
	return 0;
}
