"""Click commands that live in their own files (one verb or group per module)."""
