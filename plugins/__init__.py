"""The mass organizations bundled with quntuan. Each is an ordinary plugin, loaded like a third party's."""
