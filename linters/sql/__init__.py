"""Reusable questions about SQL trees and tokens that several rules ask."""
