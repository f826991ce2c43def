// SPDX-License-Identifier: GPL-2.0
/*
 * json-flat: parse a JSON document from stdin (strictly, with json-c) and
 * print every scalar as one "path=value" line, for shell tests where no
 * python or jq is at hand (the real-Xen test's dom0):
 *
 *	.schema_version=1
 *	.domains[0].name=Domain-0
 *
 * Strings are printed raw, numbers and booleans as JSON writes them, null
 * as "null".  Exit 0, or 1 (with a message) when the input is not one
 * valid JSON document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_INPUT (16U << 20)
#define MAX_PATH 512

static void flatten(struct json_object *o, char *path, size_t len)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			int w = snprintf(path + len, MAX_PATH - len, ".%s", key);

			if (w > 0 && (size_t)w < MAX_PATH - len)
				flatten(val, path, len + (size_t)w);
		}
		break;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			int w = snprintf(path + len, MAX_PATH - len, "[%zu]", i);

			if (w > 0 && (size_t)w < MAX_PATH - len)
				flatten(json_object_array_get_idx(o, i), path, len + (size_t)w);
		}
		break;
	case json_type_null:
		printf("%s=null\n", path);
		break;
	default:
		printf("%s=%s\n", path, json_object_get_string(o));
		break;
	}
	path[len] = '\0';
}

int main(void)
{
	struct json_tokener *tok = NULL;
	struct json_object *doc = NULL;
	char path[MAX_PATH] = "";
	int rc = 1;
	char *buf;
	size_t n, off;

	buf = malloc(MAX_INPUT);
	if (!buf)
		return 1;
	n = fread(buf, 1, MAX_INPUT, stdin);
	tok = json_tokener_new();
	if (!tok)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, buf, (int)n);
	if (!doc) {
		fprintf(stderr, "json-flat: not JSON: %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	/* nothing but white space may follow the document */
	off = json_tokener_get_parse_end(tok);
	while (off < n && strchr(" \t\r\n", buf[off]))
		off++;
	if (off != n) {
		fprintf(stderr, "json-flat: trailing data after the document\n");
		goto out;
	}
	flatten(doc, path, 0);
	rc = 0;
out:
	json_object_put(doc);
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return rc;
}
