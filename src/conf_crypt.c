/*
 * The encryption settings, parsed once at start-up so that a malformed
 * recipient, identity or recipients file stops the run (exit 78) before any
 * dump starts, rather than after an hour of dumping.
 */
#include "conf.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/age.h"
#include "util/log.h"

int conf_encrypts(const struct config *c)
{
	return c->encryption != NULL && strcmp(c->encryption, "age") == 0;
}

static int encryption_keys(struct config *c, struct age_keys *k)
{
	int keys = c->recipients != NULL || c->recipients_file != NULL;

	if (keys && c->passphrase != NULL) {
		/* age: a passphrase-encrypted file has one scrypt stanza and no other. */
		fail(EXIT_CONFIG, "BACKUP_ENCRYPTION=age takes recipients (BACKUP_RECIPIENTS, "
				  "BACKUP_RECIPIENTS_FILE) or BACKUP_PASSPHRASE, not both");
		return -1;
	}
	if (c->recipients != NULL &&
	    age_keys_add_recipients(k, c->recipients, "BACKUP_RECIPIENTS") < 0)
		return -1;
	if (c->recipients_file != NULL && age_keys_load_recipients_file(k, c->recipients_file) < 0)
		return -1;
	if (keys && k->nrecipients == 0) {
		fail(EXIT_CONFIG, "BACKUP_RECIPIENTS is empty: name at least one age1... key");
		return -1;
	}
	return 0;
}

int conf_encryption_ready(const struct config *c)
{
	if (!conf_encrypts(c) || c->age->nrecipients > 0 || c->age->passphrase != NULL)
		return 0;
	/* recover needs only an identity; what encrypts needs whom to encrypt to. */
	fail(EXIT_CONFIG, "BACKUP_ENCRYPTION=age needs BACKUP_RECIPIENTS (age1... keys from "
			  "age-keygen), BACKUP_RECIPIENTS_FILE or BACKUP_PASSPHRASE");
	return -1;
}

int conf_encryption(struct config *c)
{
	struct age_keys *k;

	conf_encryption_free(c); /* settled once per resolution, never twice */
	if (c->encryption != NULL && strcmp(c->encryption, "none") != 0 && !conf_encrypts(c)) {
		fail(EXIT_CONFIG, "BACKUP_ENCRYPTION: '%s' is not none or age", c->encryption);
		return -1;
	}
	if (!conf_encrypts(c) && (c->recipients != NULL || c->recipients_file != NULL)) {
		/* Keys without encryption would mean plain backups someone thinks are not. */
		fail(EXIT_CONFIG, "BACKUP_RECIPIENTS is set but BACKUP_ENCRYPTION is not age: set "
				  "BACKUP_ENCRYPTION=age, or unset the recipients");
		return -1;
	}
	if (!conf_encrypts(c) && c->passphrase == NULL && c->identity_file == NULL)
		return 0;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	c->age = k;
	if (conf_encrypts(c) && encryption_keys(c, k) < 0)
		return -1;
	if (c->passphrase != NULL) {
		if (*c->passphrase == '\0') {
			fail(EXIT_CONFIG, "BACKUP_PASSPHRASE is empty");
			return -1;
		}
		if (age_keys_set_passphrase(k, c->passphrase) < 0)
			return -1;
	}
	if (c->identity_file != NULL && age_keys_load_identity_file(k, c->identity_file) < 0)
		return -1;
	if (conf_encrypts(c) && (c->age_described = age_keys_describe(k)) == NULL)
		return fail(EXIT_INTERNAL, "out of memory"), -1;
	return 0;
}

void conf_encryption_free(struct config *c)
{
	age_keys_free(c->age);
	free(c->age);
	c->age = NULL;
	free(c->age_described);
	c->age_described = NULL;
}
