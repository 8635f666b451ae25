"""Disclosure control of public products: suppression, plan, ledger, attacker."""
