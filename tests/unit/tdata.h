/* Table-driven test data: TSV files with escapes, read into rows. */
#ifndef MCPGW_TDATA_H
#define MCPGW_TDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "t.h"

#define MAXF 8

/* One line of a TSV data file, unescaped; fields live in the arena. */
struct row {
	int line;
	int n;
	char *f[MAXF];
	size_t len[MAXF];
};

static int __attribute__((unused)) hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes \t \n \r \\ and \xHH; other bytes are copied. */
static char *__attribute__((unused))
unescape(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	char *o = arena_alloc(a, n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			o[j++] = s[i];
			continue;
		}
		i++;
		if (s[i] == 't')
			o[j++] = '\t';
		else if (s[i] == 'n')
			o[j++] = '\n';
		else if (s[i] == 'r')
			o[j++] = '\r';
		else if (s[i] == 'x' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			o[j++] = (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2]));
			i += 2;
		} else
			o[j++] = s[i];
	}
	*outlen = j;
	return o;
}

/*
 * Reads the data file into rows (comment and blank lines skipped).
 * Returns the number of rows; the array is malloc'd, fields are in a.
 */
static int __attribute__((unused))
read_rows(struct arena *a, const char *path, struct row **out)
{
	char buf[8192], *p, *tab;
	struct row *rows = NULL, *r;
	int n = 0, line = 0;
	size_t l;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		T_OK(0, "open %s", path);
		return 0;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		l = strlen(buf);
		if (l > 0 && buf[l - 1] == '\n')
			buf[--l] = '\0';
		if (buf[0] == '#' || l == 0)
			continue;
		if ((rows = realloc(rows, (n + 1) * sizeof(*rows))) == NULL)
			abort();
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->line = line;
		for (p = buf; r->n < MAXF; p = tab + 1) {
			tab = strchr(p, '\t');
			if (tab == NULL)
				tab = p + strlen(p);
			r->f[r->n] = unescape(
			    a, p, (size_t)(tab - p), &r->len[r->n]);
			r->n++;
			if (*tab == '\0')
				break;
		}
		while (r->n < MAXF) {
			r->f[r->n] = "";
			r->n++;
		}
	}
	fclose(f);
	*out = rows;
	return n;
}

#endif
