from raylint.cli import main

raise SystemExit(main())
