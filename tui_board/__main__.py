from tui_board.cli.main import main

main()
