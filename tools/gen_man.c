/* gen_man.c: build-time tool. Copies a man page template to stdout, replacing
 * lines that are exactly a marker with what the tables say, so the pages cannot
 * drift from the code:
 *   @SHAPE_LIST@  "guarded, fragment, churn, threads, allocator or files"
 *   @SHAPES@      a .TP entry per shape: what it models, then every key its
 *                   preset sets over the defaults, with the value.
 * Usage: gen_man TEMPLATE > PAGE */
#include <stdio.h>
#include <string.h>
#include "vmastress/config/config.h"
#include "vmastress/shapes/shape.h"

static void shape_list(void)
{
	for (unsigned i = 0; vs_shapes[i]; i++)
		printf("%s%s", i == 0 ? "" : vs_shapes[i + 1] ? ", " : " or ", vs_shapes[i]->name);
	printf(".\n");
}

static void value(const struct vs_preset *p)
{
	if (vs_config_keys[p->key].type == VS_KEY_FILL)
		printf("%g", p->value);
	else
		printf("%.0f", p->value);
}

static void shape_entries(void)
{
	for (unsigned i = 0; vs_shapes[i]; i++) {
		const struct vs_shape *s = vs_shapes[i];
		printf(".TP\n.B %s\n%s.", s->name, s->models);
		if (!s->n)
			printf(" The defaults above");
		for (unsigned k = 0; k < s->n; k++) {
			printf("%s%s ", k ? ", " : " Sets ", vs_config_keys[s->set[k].key].path);
			value(&s->set[k]);
		}
		printf(".\n");
	}
}

int main(int argc, char **argv)
{
	char line[4096];
	FILE *in;

	if (argc != 2 || !(in = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: gen_man TEMPLATE > PAGE\n");
		return 64;
	}
	while (fgets(line, sizeof(line), in)) {
		if (strcmp(line, "@SHAPE_LIST@\n") == 0)
			shape_list();
		else if (strcmp(line, "@SHAPES@\n") == 0)
			shape_entries();
		else
			fputs(line, stdout);
	}
	fclose(in);
	return 0;
}
