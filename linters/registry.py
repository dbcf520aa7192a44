"""Every rule schemabot ships, by stable id: the one table the engine and the docs read.

Each group's section is kept in id order. A rule id is never reused for another meaning.

``RULES`` knows every id without importing a rule: a rule's module is imported the first time
the rule is looked up. A cold lint run starts faster for it: the engine asks only for the rules
that can run (``for_run``), so a PostgreSQL run imports neither the MySQL rules nor the opt-in
rules its configuration does not select. Iterating ``RULES.values()`` (the docs, ``schemabot
rules``) imports them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

from linters.config import rule_severity

if TYPE_CHECKING:
    from linters.config import LintConfig
    from linters.dialects import Dialect
    from linters.rule import Rule

__all__ = ["RULES", "Registry", "rule_by_id"]

#: Groups whose rules are all about some dialects; a rule of another group may be about any.
#: The registry refuses a rule that claims a dialect outside its group's.
GROUP_DIALECTS: dict[str, frozenset[Dialect]] = {
    "mysql": frozenset({"mysql", "mariadb"}),
    "postgres": frozenset({"postgres"}),
}
#: The rules that are off by default (``severity=None``): they run only when selected. The
#: registry refuses a rule that disagrees with this list.
OPT_IN = frozenset(
    {
        "charset-collation-policy",
        "column-alignment",
        "column-nullability-default-policy",
        "column-type-policy",
        "comment-policy",
        "create-enum",
        "down-migration-missing",
        "drop-requires-marker-name",
        "foreign-keys-forbidden",
        "function-denylist",
        "identifier-reserved-keyword",
        "index-count-limit",
        "mysql-algorithm-lock-unspecified",
        "mysql-osc-incompatible",
        "mysql-osc-unique-index",
        "naming-convention",
        "object-kind-denylist",
        "on-delete-cascade",
        "plpgsql-dynamic-sql",
        "required-columns",
        "schema-unqualified",
        "session-role-owner",
        "transaction-too-many-statements",
    }
)

#: Each rule id with its module under ``linters.rules``, loaded the first time it is asked for.
_TABLE: dict[str, str] = {
    # -- parsing and suppression ---------------------------------------------------------------
    "parse-error": "common.parse_error",
    "unsupported-statement": "common.unsupported_statement",
    "unused-suppression": "common.unused_suppression",
    # -- files, transactions, session settings (RULES.md 1.1) ----------------------------------
    "alter-table-not-merged": "common.alter_table_not_merged",
    "applied-migration-modified": "files.applied_migration_modified",
    "down-migration-missing": "files.down_migration_missing",
    "file-empty": "files.file_empty",
    "file-name-invalid": "files.file_name_invalid",
    "file-too-large": "files.file_too_large",
    "lock-timeout-missing": "common.lock_timeout_missing",
    "mixed-ddl-dml": "files.mixed_ddl_dml",
    "mysql-ddl-in-transaction": "mysql.mysql_ddl_in_transaction",
    "non-transactional-file-not-single": "postgres.non_transactional_file_not_single",
    "non-transactional-in-transaction": "postgres.non_transactional_in_transaction",
    "statement-not-idempotent": "common.statement_not_idempotent",
    "statement-timeout-missing": "common.statement_timeout_missing",
    "statements-after-exclusive-lock": "postgres.statements_after_exclusive_lock",
    "transaction-control-in-wrapped-file": "common.transaction_control_in_wrapped_file",
    "transaction-not-committed": "common.transaction_not_committed",
    "transaction-too-many-statements": "files.transaction_too_many_statements",
    "validate-in-same-transaction": "postgres.validate_in_same_transaction",
    "version-duplicate": "files.version_duplicate",
    "version-out-of-order": "files.version_out_of_order",
    # -- destructive and backward-incompatible changes (1.2) -----------------------------------
    "cascade-drop": "postgres.cascade_drop",
    "column-reordered": "mysql.column_reordered",
    "drop-column": "common.drop_column",
    "drop-constraint": "common.drop_constraint",
    "drop-database": "common.drop_database",
    "drop-not-null": "common.drop_not_null",
    "drop-schema": "postgres.drop_schema",
    "drop-table": "common.drop_table",
    "insert-without-columns": "common.insert_without_columns",
    "rename-column": "common.rename_column",
    "rename-enum-value": "postgres.rename_enum_value",
    "rename-schema": "postgres.rename_schema",
    "rename-table": "common.rename_table",
    "select-star-in-ddl": "common.select_star_in_ddl",
    "table-recreated": "common.table_recreated",
    "truncate-table": "common.truncate_table",
    # -- DML inside migrations (1.6) -----------------------------------------------------------
    "backfill-in-ddl-transaction": "postgres.backfill_in_ddl_transaction",
    "backfill-unbatched": "common.backfill_unbatched",
    "null-comparison": "common.null_comparison",
    "update-delete-without-where": "common.update_delete_without_where",
    # -- PostgreSQL locks and rewrites (1.3) ---------------------------------------------------
    "add-check-validating": "postgres.add_check_validating",
    "add-column-auto-increment": "common.add_column_auto_increment",
    "add-column-generated-stored": "common.add_column_generated_stored",
    "add-column-required": "common.add_column_required",
    "add-column-volatile-default": "postgres.add_column_volatile_default",
    "add-exclusion-constraint": "postgres.add_exclusion_constraint",
    "add-foreign-key-validating": "postgres.add_foreign_key_validating",
    "add-primary-key-locking": "postgres.add_primary_key_locking",
    "add-unique-constraint-locking": "postgres.add_unique_constraint_locking",
    "autovacuum-disabled": "postgres.autovacuum_disabled",
    "change-column-type": "common.change_column_type",
    "create-index-concurrently-buggy-version": "postgres.create_index_concurrently_buggy_version",
    "create-index-not-concurrently": "postgres.create_index_not_concurrently",
    "create-trigger-existing-table": "postgres.create_trigger_existing_table",
    "detach-partition-not-concurrently": "postgres.detach_partition_not_concurrently",
    "domain-check-constraint": "postgres.domain_check_constraint",
    "drop-index-not-concurrently": "postgres.drop_index_not_concurrently",
    "enum-add-value-in-transaction": "postgres.enum_add_value_in_transaction",
    "enum-value-unordered": "postgres.enum_value_unordered",
    "index-on-partitioned-parent": "postgres.index_on_partitioned_parent",
    "pk-using-index-nullable": "postgres.pk_using_index_nullable",
    "refresh-matview-not-concurrently": "postgres.refresh_matview_not_concurrently",
    "reindex-not-concurrently": "postgres.reindex_not_concurrently",
    "replica-identity-change": "postgres.replica_identity_change",
    "set-not-null-scan": "postgres.set_not_null_scan",
    "table-rewrite-command": "postgres.table_rewrite_command",
    # -- MySQL / MariaDB online DDL (1.4) ------------------------------------------------------
    "charset-collation-policy": "mysql.charset_collation_policy",
    "mysql-add-check-constraint": "mysql.mysql_add_check_constraint",
    "mysql-add-column-expression-default": "mysql.mysql_add_column_expression_default",
    "mysql-add-column-position": "mysql.mysql_add_column_position",
    "mysql-add-foreign-key": "mysql.mysql_add_foreign_key",
    "mysql-algorithm-lock-unspecified": "mysql.mysql_algorithm_lock_unspecified",
    "mysql-auto-increment-type": "mysql.mysql_auto_increment_type",
    "mysql-convert-charset": "mysql.mysql_convert_charset",
    "mysql-copy-algorithm": "mysql.mysql_copy_algorithm",
    "mysql-dml-limit-without-order": "mysql.mysql_dml_limit_without_order",
    "mysql-enum-set-change": "mysql.mysql_enum_set_change",
    "mysql-foreign-key-checks-left-off": "mysql.mysql_foreign_key_checks_left_off",
    "mysql-fulltext-spatial-index": "mysql.mysql_fulltext_spatial_index",
    "mysql-index-on-blob": "mysql.mysql_index_on_blob",
    "mysql-inline-references": "mysql.mysql_inline_references",
    "mysql-instant-row-versions": "mysql.mysql_instant_row_versions",
    "mysql-non-innodb-engine": "mysql.mysql_non_innodb_engine",
    "mysql-osc-incompatible": "mysql.mysql_osc_incompatible",
    "mysql-osc-unique-index": "mysql.mysql_osc_unique_index",
    "mysql-primary-key-change": "mysql.mysql_primary_key_change",
    "mysql-set-not-null": "mysql.mysql_set_not_null",
    "mysql-table-rebuild": "mysql.mysql_table_rebuild",
    # -- types and schema design (1.5) ---------------------------------------------------------
    "avoid-char": "common.avoid_char",
    "column-alignment": "postgres.column_alignment",
    "create-enum": "postgres.create_enum",
    "duplicate-column": "common.duplicate_column",
    "fk-without-index": "postgres.fk_without_index",
    "identifier-too-long": "common.identifier_too_long",
    "index-redundant": "common.index_redundant",
    "index-too-many-columns": "common.index_too_many_columns",
    "on-delete-cascade": "common.on_delete_cascade",
    "plpgsql-dynamic-sql": "postgres.plpgsql_dynamic_sql",
    "prefer-bigint": "common.prefer_bigint",
    "prefer-identity": "postgres.prefer_identity",
    "prefer-jsonb": "postgres.prefer_jsonb",
    "prefer-text-over-varchar": "postgres.prefer_text_over_varchar",
    "prefer-timestamptz": "postgres.prefer_timestamptz",
    "require-primary-key": "common.require_primary_key",
    "schema-unqualified": "postgres.schema_unqualified",
    # -- naming and organisation policy, off by default (1.7) ----------------------------------
    "column-nullability-default-policy": "common.column_nullability_default_policy",
    "column-type-policy": "common.column_type_policy",
    "comment-policy": "common.comment_policy",
    "drop-requires-marker-name": "common.drop_requires_marker_name",
    "foreign-keys-forbidden": "common.foreign_keys_forbidden",
    "function-denylist": "common.function_denylist",
    "identifier-reserved-keyword": "common.identifier_reserved_keyword",
    "index-count-limit": "common.index_count_limit",
    "naming-convention": "common.naming_convention",
    "object-kind-denylist": "common.object_kind_denylist",
    "required-columns": "common.required_columns",
    "session-role-owner": "postgres.session_role_owner",
}


class Registry(Mapping[str, "Rule"]):
    """Rules by id, each imported from its module on first use."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        #: Rule id -> module under ``linters.rules`` (``"common.drop_table"``).
        self._modules = dict(modules)
        self._loaded: dict[str, Rule] = {}

    def __getitem__(self, rule_id: str) -> Rule:
        rule = self._loaded.get(rule_id)
        if rule is None:
            rule = self._loaded[rule_id] = self._load(rule_id)
        return rule

    def _load(self, rule_id: str) -> Rule:
        """Import the rule's module; refuse a rule that the table describes wrongly."""
        module = import_module(f"linters.rules.{self._modules[rule_id]}")
        rule: Rule = module.RULE
        group = self.group_of(rule_id)
        allowed = GROUP_DIALECTS.get(group, rule.dialects)
        problem = None
        if rule.id != rule_id:
            problem = f"{module.__name__} is {rule.id!r}"
        elif rule.group != group:
            problem = f"its check is in group {rule.group}"
        elif not rule.dialects <= allowed:
            problem = f"the {group} group is for {sorted(allowed)}"
        elif (rule.severity is None) != (rule_id in OPT_IN):
            problem = "OPT_IN must list it exactly when it is off by default"
        if problem is not None:  # pragma: no cover - guards the table against slips
            raise RuntimeError(f"registry: {rule_id}: {problem}")
        return rule

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def group_of(self, rule_id: str) -> str:
        """The rule's group (its folder under ``linters.rules``), without importing it."""
        return self._modules[rule_id].split(".", 1)[0]

    def for_run(self, config: LintConfig, dialect: Dialect) -> Iterator[Rule]:
        """In registry order, the rules that may run for ``config`` and ``dialect``; only
        those are imported. Left out unseen: the groups of other dialects, and the opt-in rules
        ``config`` does not select (``rule_severity`` with no default is then None, as it is
        with their own). The caller still checks each rule's dialects and severity."""
        for rule_id in self._modules:
            group = self.group_of(rule_id)
            allowed = GROUP_DIALECTS.get(group)
            if allowed is not None and dialect not in allowed:
                continue
            if rule_id in OPT_IN and rule_severity(config, rule_id, group, None) is None:
                continue
            yield self[rule_id]


RULES = Registry(_TABLE)


def rule_by_id(rule_id: str) -> Rule | None:
    return RULES.get(rule_id)
