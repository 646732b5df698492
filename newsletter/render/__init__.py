"""Renderers: each turns the content model into one edition (email, PDF, web)."""
