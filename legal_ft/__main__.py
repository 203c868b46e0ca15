from legal_ft.cli import main

main()
