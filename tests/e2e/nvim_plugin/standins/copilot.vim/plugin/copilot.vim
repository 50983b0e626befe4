" Stand-in for github/copilot.vim's plugin/copilot.vim (test only): the same
" insert-mode mappings.
if exists('g:loaded_copilot')
  finish
endif
let g:loaded_copilot = 1

" (Neovim 0.11+ maps <Tab> for snippets by default; copilot.vim takes it over.)
imap <script><silent><nowait><expr> <Tab> empty(get(g:, 'copilot_no_tab_map')) ? copilot#Accept() : "\t"
inoremap <script><silent><nowait><expr> <Plug>(copilot-accept-word) copilot#AcceptWord()
inoremap <script><silent><nowait><expr> <Plug>(copilot-accept-line) copilot#AcceptLine()
if empty(mapcheck('<M-Right>', 'i'))
  imap <M-Right> <Plug>(copilot-accept-word)
endif
if empty(mapcheck('<M-C-Right>', 'i'))
  imap <M-C-Right> <Plug>(copilot-accept-line)
endif
