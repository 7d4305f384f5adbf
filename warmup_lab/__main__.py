from warmup_lab.cli import main

raise SystemExit(main())
