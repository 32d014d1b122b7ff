"""Built-in plugins. Each is registered through the ``declic.plugins`` entry-point group, exactly like a third-party plugin."""
