"""The rules, one module each, grouped by what they apply to: files, common, postgres, mysql."""
